//! What an invoice or credit note says, independent of how it is drawn.
//!
//! Everything here is already formatted for print (money with its currency's decimals,
//! dates as calendar dates), so a renderer only lays text out.

/// Invoice or credit note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    Invoice,
    CreditNote,
}

impl DocumentKind {
    /// As stored, in archive paths and in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::CreditNote => "credit_note",
        }
    }

    pub fn parse(kind: &str) -> Option<Self> {
        [DocumentKind::Invoice, DocumentKind::CreditNote]
            .into_iter()
            .find(|k| k.as_str() == kind)
    }
}

/// In the order of the stored text, as reports sorted by it always were.
impl Ord for DocumentKind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for DocumentKind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Party {
    /// First line, printed bold (company or person).
    pub name: String,
    /// Further lines: street, city, country, tax id, email, phone...
    pub lines: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    /// Variation attributes and other details, e.g. `Colour: Black · Size: L`.
    pub details: Option<String>,
    pub sku: Option<String>,
    pub quantity: String,
    pub unit_price: String,
    pub total: String,
}

/// A label and an amount in the totals block (subtotal, shipping, a fee, a coupon, a tax
/// rate, the total...).
#[derive(Debug, Clone)]
pub struct TotalRow {
    pub label: String,
    pub amount: String,
    /// The grand total is emphasised.
    pub emphasis: bool,
}

#[derive(Debug, Clone)]
pub struct InvoiceDocument {
    pub kind: DocumentKind,
    /// `INV-2026-00042`.
    pub number: String,
    /// For a credit note: the invoice it corrects.
    pub reference: Option<String>,
    pub issue_date: String,
    pub order_number: String,
    pub order_date: String,
    pub payment_method: String,
    pub currency: String,
    pub seller: Party,
    /// PNG bytes of the seller's logo.
    pub logo_png: Option<Vec<u8>>,
    pub billing: Party,
    pub shipping: Option<Party>,
    pub lines: Vec<Line>,
    pub totals: Vec<TotalRow>,
    pub customer_note: Option<String>,
    /// Small print at the bottom of the last page (e.g. a refund reason, a thank-you).
    pub footer: Option<String>,
}
