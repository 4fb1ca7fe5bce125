<?php
/**
 * WooCommerce → Settings → Aftercare.
 *
 * Printed inside WooCommerce's settings form (which carries its own nonce and Save button).
 *
 * Override by copying to yourtheme/aftercare/admin/settings.php.
 *
 * @package Aftercare
 *
 * @var string                   $url        The saved aftercare URL.
 * @var bool                     $has_key    Whether an API key is saved (it is never printed).
 * @var array|null               $key_failure Since when aftercare refuses the saved key, if it does.
 * @var \Aftercare\Api_Response  $health     GET /api/v1/store/health.
 * @var array<int,array<string,mixed>> $webhooks The webhooks this plugin manages.
 * @var mixed                    $connection What the last Connect stored.
 * @var string                   $tax_id     The seller's tax number for invoices.
 * @var string                   $phone      The seller's phone number for invoices.
 * @var array<string,string[]>   $order_emails Which WooCommerce emails carry what (Order_Emails::choices()).
 */

use Aftercare\Admin_Settings;
use Aftercare\Data;
use Aftercare\Labels;
use Aftercare\Template;

defined( 'ABSPATH' ) || exit;

$aftercare_post_url = admin_url( 'admin-post.php' );
?>
<div class="aftercare-settings">
<h2><?php esc_html_e( 'aftercare connection', 'aftercare-for-woocommerce' ); ?></h2>
<p><?php esc_html_e( 'aftercare keeps parcels, invoices and returns for your orders and shows them to customers in My Account. Enter where it runs and its API key, test the connection, then connect: the plugin sets up the four order webhooks for you.', 'aftercare-for-woocommerce' ); ?></p>
<table class="form-table" role="presentation">
	<tr>
		<th scope="row"><label for="aftercare_url"><?php esc_html_e( 'aftercare URL', 'aftercare-for-woocommerce' ); ?></label></th>
		<td>
			<input type="url" class="regular-text code" id="aftercare_url" name="aftercare_url" value="<?php echo esc_attr( $url ); ?>" placeholder="https://aftercare.example.com" autocomplete="off" spellcheck="false">
			<p class="description"><?php esc_html_e( 'The address this WordPress server reaches aftercare at, for example http://127.0.0.1:8787 when both run on one machine. Private addresses and other ports are allowed for this host only.', 'aftercare-for-woocommerce' ); ?></p>
		</td>
	</tr>
	<tr>
		<th scope="row"><label for="aftercare_api_key"><?php esc_html_e( 'API key', 'aftercare-for-woocommerce' ); ?></label></th>
		<td>
			<input type="password" class="regular-text code" id="aftercare_api_key" name="aftercare_api_key" value="" autocomplete="new-password" spellcheck="false"
				placeholder="<?php echo $has_key ? esc_attr__( 'Saved. Type a new key to replace it.', 'aftercare-for-woocommerce' ) : esc_attr__( 'Paste the API key', 'aftercare-for-woocommerce' ); ?>">
			<?php if ( $has_key && ! empty( $key_failure ) ) : ?>
				<span class="aftercare-saved aftercare-bad"><span class="dashicons dashicons-no" aria-hidden="true"></span><?php esc_html_e( 'The saved key was refused by aftercare.', 'aftercare-for-woocommerce' ); ?></span>
			<?php elseif ( $has_key ) : ?>
				<span class="aftercare-saved"><span class="dashicons dashicons-yes" aria-hidden="true"></span><?php esc_html_e( 'A key is saved.', 'aftercare-for-woocommerce' ); ?></span>
			<?php endif; ?>
			<p class="description"><?php esc_html_e( 'api_key from aftercare-data/secrets.toml, or the AFTERCARE_API_KEY you set. It is stored outside the autoloaded options and never shown again.', 'aftercare-for-woocommerce' ); ?></p>
		</td>
	</tr>
	<tr>
		<th scope="row"><?php esc_html_e( 'Actions', 'aftercare-for-woocommerce' ); ?></th>
		<td>
			<?php wp_nonce_field( Admin_Settings::NONCE_ACTION, '_aftercare_nonce' ); ?>
			<button type="submit" class="button" formaction="<?php echo esc_url( add_query_arg( 'action', Admin_Settings::TEST_ACTION, $aftercare_post_url ) ); ?>"><?php esc_html_e( 'Test connection', 'aftercare-for-woocommerce' ); ?></button>
			<button type="submit" class="button button-primary" formaction="<?php echo esc_url( add_query_arg( 'action', Admin_Settings::CONNECT_ACTION, $aftercare_post_url ) ); ?>"><?php esc_html_e( 'Connect', 'aftercare-for-woocommerce' ); ?></button>
			<p class="description"><?php esc_html_e( 'Both buttons test the fields above first and save them only when aftercare accepts them. Connect creates or repairs the Order created, updated, deleted and restored webhooks with aftercare\'s secret, owned by you, and sends each a test delivery.', 'aftercare-for-woocommerce' ); ?></p>
		</td>
	</tr>
</table>

<h2><?php esc_html_e( 'The seller on invoices', 'aftercare-for-woocommerce' ); ?></h2>
<p>
	<?php esc_html_e( 'Invoices name the seller with the shop\'s name and store address from WooCommerce\'s general settings and the two fields below. aftercare receives them when you press Connect and again whenever they change.', 'aftercare-for-woocommerce' ); ?>
	<a href="<?php echo esc_url( admin_url( 'admin.php?page=wc-settings&tab=general' ) ); ?>"><?php esc_html_e( 'Edit the store address', 'aftercare-for-woocommerce' ); ?></a>
</p>
<table class="form-table" role="presentation">
	<tr>
		<th scope="row"><label for="aftercare_seller_tax_id"><?php esc_html_e( 'Tax number on invoices', 'aftercare-for-woocommerce' ); ?></label></th>
		<td>
			<input type="text" class="regular-text" id="aftercare_seller_tax_id" name="aftercare_seller_tax_id" value="<?php echo esc_attr( $tax_id ?? '' ); ?>" maxlength="<?php echo esc_attr( (string) \Aftercare\Settings::MAX_TAX_ID_CHARS ); ?>" autocomplete="off">
			<p class="description"><?php esc_html_e( 'Your VAT, GST or business registration number, printed under the shop\'s address. Leave it empty if you have none.', 'aftercare-for-woocommerce' ); ?></p>
		</td>
	</tr>
	<tr>
		<th scope="row"><label for="aftercare_seller_phone"><?php esc_html_e( 'Phone on invoices', 'aftercare-for-woocommerce' ); ?></label></th>
		<td>
			<input type="tel" class="regular-text" id="aftercare_seller_phone" name="aftercare_seller_phone" value="<?php echo esc_attr( $phone ?? '' ); ?>" maxlength="<?php echo esc_attr( (string) \Aftercare\Settings::MAX_PHONE_CHARS ); ?>" autocomplete="off">
			<p class="description"><?php esc_html_e( 'Printed under the shop\'s address; leave it empty to print none.', 'aftercare-for-woocommerce' ); ?></p>
		</td>
	</tr>
</table>

<h2><?php esc_html_e( 'WooCommerce\'s order emails', 'aftercare-for-woocommerce' ); ?></h2>
<p><?php esc_html_e( 'Add what aftercare knows to the emails WooCommerce sends customers: the parcels with their carrier, tracking number and status, the expected delivery date and a link to the order\'s tracking page, and the invoice or credit note as a PDF. When aftercare does not answer within a few seconds, the email goes out without them.', 'aftercare-for-woocommerce' ); ?></p>
<?php
$aftercare_email_rows = array(
	\Aftercare\Order_Emails::PROCESSING => __( 'Processing order', 'aftercare-for-woocommerce' ),
	\Aftercare\Order_Emails::COMPLETED  => __( 'Completed order', 'aftercare-for-woocommerce' ),
	\Aftercare\Order_Emails::REFUNDED   => __( 'Refunded order', 'aftercare-for-woocommerce' ),
);
$aftercare_email_cols = array(
	'facts'       => __( 'Parcels and tracking link', 'aftercare-for-woocommerce' ),
	'invoice'     => __( 'Invoice PDF', 'aftercare-for-woocommerce' ),
	'credit_note' => __( 'Credit note PDF', 'aftercare-for-woocommerce' ),
);
$aftercare_choices    = isset( $order_emails ) && is_array( $order_emails ) ? $order_emails : \Aftercare\Order_Emails::DEFAULTS;
?>
<input type="hidden" name="aftercare_order_emails_shown" value="1">
<table class="widefat striped aftercare-order-emails">
	<thead><tr>
		<th scope="col"><?php esc_html_e( 'Email', 'aftercare-for-woocommerce' ); ?></th>
		<?php foreach ( $aftercare_email_cols as $aftercare_label ) : ?>
			<th scope="col"><?php echo esc_html( $aftercare_label ); ?></th>
		<?php endforeach; ?>
	</tr></thead>
	<tbody>
	<?php foreach ( $aftercare_email_rows as $aftercare_email_id => $aftercare_email_title ) : ?>
		<tr>
			<th scope="row"><?php echo esc_html( $aftercare_email_title ); ?></th>
			<?php foreach ( $aftercare_email_cols as $aftercare_what => $aftercare_label ) : ?>
				<td data-title="<?php echo esc_attr( $aftercare_label ); ?>">
					<?php if ( in_array( $aftercare_email_id, \Aftercare\Order_Emails::CHOICES[ $aftercare_what ], true ) ) : ?>
						<label><input type="checkbox" name="aftercare_order_emails[<?php echo esc_attr( $aftercare_what ); ?>][]" value="<?php echo esc_attr( $aftercare_email_id ); ?>" <?php checked( in_array( $aftercare_email_id, $aftercare_choices[ $aftercare_what ] ?? array(), true ) ); ?>>
						<span class="screen-reader-text"><?php echo esc_html( $aftercare_email_title . ': ' . $aftercare_label ); ?></span></label>
					<?php else : ?>
						<span aria-hidden="true">&ndash;</span>
					<?php endif; ?>
				</td>
			<?php endforeach; ?>
		</tr>
	<?php endforeach; ?>
	</tbody>
</table>
<p class="description"><?php esc_html_e( 'aftercare issues the invoice and the credit note a moment after WooCommerce reports the order or the refund, so an email sent at that very moment may go without its PDF; the customer finds it in My Account. aftercare\'s own messages (shipped, out for delivery, delivered, delayed, return updates) are under WooCommerce → Settings → Emails.', 'aftercare-for-woocommerce' ); ?></p>

<h2><?php esc_html_e( 'Webhooks', 'aftercare-for-woocommerce' ); ?></h2>
<?php if ( ! $webhooks ) : ?>
	<p><?php esc_html_e( 'Not connected yet: press Connect to create the webhooks.', 'aftercare-for-woocommerce' ); ?></p>
<?php else : ?>
	<table class="widefat striped aftercare-webhooks">
		<thead><tr>
			<th scope="col"><?php esc_html_e( 'Topic', 'aftercare-for-woocommerce' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Webhook', 'aftercare-for-woocommerce' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Status', 'aftercare-for-woocommerce' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Failed deliveries in a row', 'aftercare-for-woocommerce' ); ?></th>
			<th scope="col"><?php esc_html_e( 'Delivery URL', 'aftercare-for-woocommerce' ); ?></th>
		</tr></thead>
		<tbody>
		<?php foreach ( $webhooks as $aftercare_hook ) : ?>
			<tr>
				<td data-title="<?php esc_attr_e( 'Topic', 'aftercare-for-woocommerce' ); ?>"><code><?php echo esc_html( (string) $aftercare_hook['topic'] ); ?></code></td>
				<td data-title="<?php esc_attr_e( 'Webhook', 'aftercare-for-woocommerce' ); ?>">#<?php echo esc_html( (string) $aftercare_hook['id'] ); ?></td>
				<td data-title="<?php esc_attr_e( 'Status', 'aftercare-for-woocommerce' ); ?>">
					<?php if ( ! $aftercare_hook['exists'] ) : ?>
						<span class="aftercare-bad"><?php esc_html_e( 'Deleted: press Connect to recreate it', 'aftercare-for-woocommerce' ); ?></span>
					<?php elseif ( 'active' === $aftercare_hook['status'] ) : ?>
						<span class="aftercare-good"><?php esc_html_e( 'Active', 'aftercare-for-woocommerce' ); ?></span>
					<?php else : ?>
						<span class="aftercare-bad">
						<?php
						/* translators: %s: webhook status such as disabled or paused */
						printf( esc_html__( '%s: press Connect to repair it', 'aftercare-for-woocommerce' ), esc_html( ucfirst( (string) $aftercare_hook['status'] ) ) );
						?>
						</span>
					<?php endif; ?>
				</td>
				<td data-title="<?php esc_attr_e( 'Failed deliveries in a row', 'aftercare-for-woocommerce' ); ?>"><?php echo esc_html( (string) $aftercare_hook['failures'] ); ?></td>
				<td data-title="<?php esc_attr_e( 'Delivery URL', 'aftercare-for-woocommerce' ); ?>"><code><?php echo esc_html( (string) $aftercare_hook['delivery_url'] ); ?></code></td>
			</tr>
		<?php endforeach; ?>
		</tbody>
	</table>
<?php endif; ?>

<h2><?php esc_html_e( 'Store health', 'aftercare-for-woocommerce' ); ?></h2>
<?php if ( \Aftercare\Api_Response::NOT_CONFIGURED === $health->outcome ) : ?>
	<p><?php esc_html_e( 'Enter the aftercare URL and API key to see the store\'s health.', 'aftercare-for-woocommerce' ); ?></p>
<?php elseif ( $health->missing_endpoint() ) : ?>
	<p><?php esc_html_e( 'This aftercare version does not report store health yet.', 'aftercare-for-woocommerce' ); ?></p>
<?php elseif ( ! $health->ok() ) : ?>
	<div class="notice notice-warning inline"><p><?php esc_html_e( 'aftercare did not answer the health check.', 'aftercare-for-woocommerce' ); ?></p>
		<ul><?php foreach ( \Aftercare\Connector::explain( $health ) as $aftercare_line ) : ?><li><?php echo esc_html( $aftercare_line ); ?></li><?php endforeach; ?></ul>
	</div>
<?php else : ?>
	<?php
	$aftercare_h        = $health->data;
	$aftercare_problems = array_filter( is_array( $aftercare_h['problems'] ?? null ) ? $aftercare_h['problems'] : array(), 'is_string' );
	$aftercare_never    = __( 'never', 'aftercare-for-woocommerce' );
	$aftercare_when     = static function ( string $iso ) use ( $aftercare_never ): string {
		$shown = Template::date( $iso, true );
		return '' === $shown ? $aftercare_never : $shown;
	};
	?>
	<?php if ( $aftercare_problems ) : ?>
		<div class="notice notice-error inline aftercare-problems"><ul>
			<?php foreach ( $aftercare_problems as $aftercare_problem ) : ?>
				<li><?php echo esc_html( $aftercare_problem ); ?></li>
			<?php endforeach; ?>
		</ul></div>
	<?php else : ?>
		<p class="aftercare-good"><span class="dashicons dashicons-yes-alt" aria-hidden="true"></span><?php esc_html_e( 'No problems reported.', 'aftercare-for-woocommerce' ); ?></p>
	<?php endif; ?>
	<table class="widefat striped aftercare-health">
		<tbody>
			<tr><th scope="row"><?php esc_html_e( 'Store', 'aftercare-for-woocommerce' ); ?></th><td><?php echo esc_html( Data::str( $aftercare_h, 'store' ) ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'aftercare version', 'aftercare-for-woocommerce' ); ?></th><td><?php echo esc_html( Data::str( $aftercare_h, 'version' ) ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'Last webhook received', 'aftercare-for-woocommerce' ); ?></th><td><?php echo esc_html( $aftercare_when( Data::str( $aftercare_h, 'last_delivery_at' ) ) ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'Last reconciliation', 'aftercare-for-woocommerce' ); ?></th><td><?php echo esc_html( $aftercare_when( Data::str( $aftercare_h, 'last_reconciliation_at' ) ) ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'Last full sweep', 'aftercare-for-woocommerce' ); ?></th><td><?php echo esc_html( $aftercare_when( Data::str( $aftercare_h, 'last_full_sweep_at' ) ) ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'Orders repaired (last run / in total)', 'aftercare-for-woocommerce' ); ?></th><td><?php echo esc_html( Data::int( $aftercare_h, 'repaired_orders_last_run' ) . ' / ' . Data::int( $aftercare_h, 'repaired_orders_total' ) ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'WooCommerce REST API keys', 'aftercare-for-woocommerce' ); ?></th><td><?php echo ! empty( $aftercare_h['rest_configured'] ) ? esc_html__( 'Configured', 'aftercare-for-woocommerce' ) : esc_html__( 'Not configured: aftercare cannot repair missed webhooks or issue refunds', 'aftercare-for-woocommerce' ); ?></td></tr>
			<?php foreach ( Data::rows( $aftercare_h, 'feeds' ) as $aftercare_feed ) : ?>
				<tr class="aftercare-feed-usage"><th scope="row"><?php esc_html_e( 'Live tracking', 'aftercare-for-woocommerce' ); ?></th><td>
					<?php echo esc_html( Labels::feed_usage( $aftercare_feed ) ); ?>
					<?php if ( '' !== Data::str( $aftercare_feed, 'resets_at' ) ) : ?>
						<br><span class="description">
						<?php
						/* translators: %s: date the monthly count starts again */
						printf( esc_html__( 'The count starts again on %s.', 'aftercare-for-woocommerce' ), esc_html( Template::date( Data::str( $aftercare_feed, 'resets_at' ) ) ) );
						?>
						</span>
					<?php endif; ?>
				</td></tr>
			<?php endforeach; ?>
		</tbody>
	</table>
	<?php $aftercare_seen = Data::rows( $aftercare_h, 'webhooks' ); ?>
	<?php if ( $aftercare_seen ) : ?>
		<h3>
			<?php
			/* translators: %s: date and time of the check */
			printf( esc_html__( 'Webhooks as aftercare sees them (checked %s)', 'aftercare-for-woocommerce' ), esc_html( $aftercare_when( Data::str( $aftercare_h, 'webhooks_checked_at' ) ) ) );
			?>
		</h3>
		<table class="widefat striped aftercare-webhooks aftercare-webhooks--seen">
			<tbody>
			<?php foreach ( $aftercare_seen as $aftercare_hook ) : ?>
				<tr>
					<td>#<?php echo esc_html( Data::str( $aftercare_hook, 'id' ) ); ?></td>
					<td><code><?php echo esc_html( Data::str( $aftercare_hook, 'topic' ) ); ?></code></td>
					<td><?php echo esc_html( Data::str( $aftercare_hook, 'status' ) ); ?></td>
					<td class="<?php echo ! empty( $aftercare_hook['ok'] ) ? 'aftercare-good' : 'aftercare-bad'; ?>"><?php echo ! empty( $aftercare_hook['ok'] ) ? esc_html__( 'OK', 'aftercare-for-woocommerce' ) : esc_html__( 'Needs attention', 'aftercare-for-woocommerce' ); ?></td>
					<td><code><?php echo esc_html( Data::str( $aftercare_hook, 'delivery_url' ) ); ?></code></td>
				</tr>
			<?php endforeach; ?>
			</tbody>
		</table>
	<?php endif; ?>
<?php endif; ?>
</div>
