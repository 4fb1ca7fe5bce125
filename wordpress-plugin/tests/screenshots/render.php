<?php
/**
 * Renders the screens for the screenshots with the plugin's real templates and API client.
 *
 * The real aftercare (AFTERCARE_BIN) receives the fixture webhooks and serves the order view,
 * the invoice and the order list. What this aftercare does not produce yet (parcels, returns,
 * return eligibility, delay alerts, store health) is added from tests/fixtures in its final
 * shape, served to the plugin by a scripted server, and listed in sample-data.txt.
 *
 * Usage: php render.php OUT_DIR
 *
 * @package Aftercare\Tests
 */

require dirname( __DIR__ ) . '/environment.php';

$out = $argv[1] ?? '';
if ( '' === $out || ! is_dir( $out ) ) {
	fwrite( STDERR, "usage: php render.php OUT_DIR\n" );
	exit( 2 );
}
$plugin_dir = dirname( __DIR__, 2 ) . '/aftercare-for-woocommerce';
$fixtures   = dirname( __DIR__ ) . '/fixtures';
$sample     = json_decode( (string) file_get_contents( $fixtures . '/order-view-full.json' ), true );
$added      = array();

$service = Aftercare_Service::start();
$proxy   = Scripted_Server::start();
try {
	foreach ( array( 'orders/registered-krw.json', 'orders/guest-usd.json' ) as $fixture ) {
		$service->deliver_fixture( 'order.created', $fixture );
	}
	$view   = $service->wait_for( '/api/v1/customers/42/orders/1001', static fn( $code, $json ) => 200 === $code && ! empty( $json['invoice'] ) );
	$orders = $service->get( '/api/v1/customers/42/orders' )[1];

	// Fill what the service does not produce yet, keeping everything it does.
	foreach ( array( 'shipments', 'returns', 'return_eligibility', 'alerts' ) as $key ) {
		if ( empty( $view[ $key ] ) ) {
			$view[ $key ] = $sample[ $key ];
			$added[]      = "order view: $key";
		}
	}
	$sample_items = array_column( $sample['line_items'], null, 'id' );
	$sample_items[203]['name'] = $view['line_items'][2]['name']; // The sample's hostile name stays in the tests.
	foreach ( $view['line_items'] as &$item ) {
		if ( empty( $item['shipments'] ) && isset( $sample_items[ $item['id'] ] ) ) {
			$item['shipments'] = $sample_items[ $item['id'] ]['shipments'];
		}
	}
	unset( $item );
	foreach ( $view['alerts'] as &$alert ) {
		$alert['message'] = 'Your second parcel is running a day late; CJ Logistics now expects it tomorrow.';
	}
	unset( $alert );
	$view['shipments'][1]['tracking_url'] = 'https://track.example.kr/parcel?no=FF-1001-A';
	$view['shipments'][1]['carrier_name'] = '번개 로지스';
	$view['shipments'][0]['events'][1]['description'] = '간선 하차';
	if ( 'unfulfilled' === $view['delivery_state'] ) {
		$view['delivery_state'] = $sample['delivery_state'];
		$added[]                = 'order view: delivery_state';
	}
	if ( null === $view['tracking_url'] ) {
		$view['tracking_url'] = $service->url . '/t/sample-token';
		$added[]              = 'order view: tracking_url';
	}
	$returns = array(
		'returns' => array_map(
			static fn( $r ) => $r + array(
				'order_id'     => 1001,
				'order_number' => '1001',
			),
			$sample['returns']
		),
	);
	$returns['returns'][0]['history'][1]['note'] = 'Approved. Please send it back with the prepaid label we emailed you.';
	$view['returns'][0]['history'][1]['note']    = $returns['returns'][0]['history'][1]['note'];
	$returns['returns'][] = array(
		'id'           => 27,
		'status'       => 'refunded',
		'resolution'   => 'refund',
		'created_at'   => '2026-10-02T04:00:00Z',
		'order_id'     => 987,
		'order_number' => '987',
		'items'        => array( array( 'line_item_id' => 1, 'quantity' => 1, 'reason' => 'not_as_described', 'name' => 'Linen shirt, sand, M' ) ),
		'history'      => array( array( 'to' => 'refunded', 'at' => '2026-10-09T02:00:00Z', 'by' => 'staff', 'note' => 'Refunded to your card; it shows within 3 to 5 days.' ) ),
	);
	$added[] = 'GET /api/v1/customers/{id}/returns (whole list)';
	$health  = array(
		'store'                    => 'default',
		'version'                  => $service->get( '/api/v1/openapi.json' )[1]['info']['version'],
		'last_delivery_at'         => gmdate( 'Y-m-d\TH:i:s\Z', time() - 240 ),
		'last_reconciliation_at'   => gmdate( 'Y-m-d\TH:i:s\Z', time() - 900 ),
		'last_full_sweep_at'       => gmdate( 'Y-m-d\TH:i:s\Z', time() - 36000 ),
		'repaired_orders_total'    => 3,
		'repaired_orders_last_run' => 0,
		'webhooks'                 => array(),
		'webhooks_checked_at'      => null,
		'rest_configured'          => true,
		'problems'                 => array(),
	);
	$added[] = 'GET /api/v1/store/health (whole document)';

	$proxy->script(
		array(
			'GET /api/v1/customers/42/orders/1001' => array( 'json' => $view ),
			'GET /api/v1/customers/42/returns'     => array( 'json' => $returns ),
			'GET /api/v1/customers/42/orders'      => array( 'json' => $orders ),
			'GET /api/v1/store/health'             => array( 'json' => $health ),
		)
	);

	// The customer.
	update_option( 'date_format', 'F j, Y' );
	update_option( 'time_format', 'H:i' );
	update_option( 'timezone_string', 'Asia/Seoul' );
	update_option( \Aftercare\Settings::URL_OPTION, $proxy->url );
	update_option( \Aftercare\Settings::API_KEY_OPTION, Aftercare_Service::API_KEY, false );
	WC_Stub::add_order_from_json( json_decode( (string) file_get_contents( Aftercare_Service::repo_root() . '/fixtures/orders/registered-krw.json' ), true ) );
	Stub::login( 42 );

	$css = array( 'file://' . $plugin_dir . '/assets/aftercare.css', 'file://' . __DIR__ . '/shop.css' );
	file_put_contents( $out . '/order.html', shop_page( 'Order #1001', order_details( $view ) . \Aftercare\Account::order_section( 1001 ), 'orders', $css ) );
	file_put_contents( $out . '/returns.html', shop_page( 'Returns', \Aftercare\Account::returns_tab(), 'returns', $css ) );

	// The admin, after pressing Test connection against the real aftercare.
	Stub::login( 1, array( 'manage_woocommerce', 'read_private_shop_orders' ) );
	update_option( \Aftercare\Settings::URL_OPTION, $service->url );
	$test = \Aftercare\Connector::test();
	\Aftercare\Admin_Notices::add( $test['ok'] ? 'success' : 'error', $test['title'], $test['lines'] );
	foreach ( \Aftercare\Connector::TOPICS as $i => $topic ) {
		$hook = new WC_Webhook();
		$hook->set_topic( $topic );
		$hook->set_status( 'active' );
		$hook->set_delivery_url( $service->url . '/webhooks/woocommerce' );
		$hook->save();
	}
	\Aftercare\Settings::save_webhook_ids( array_combine( \Aftercare\Connector::TOPICS, array( 100, 101, 102, 103 ) ) );
	update_option( \Aftercare\Settings::URL_OPTION, $proxy->url );
	ob_start();
	\Aftercare\Admin_Notices::print_notices();
	$notices = (string) ob_get_clean();
	// Health comes through the scripted server; the page shows aftercare's real address.
	$tab = str_replace( esc_attr( $proxy->url ), esc_attr( $service->url ), \Aftercare\Admin_Settings::tab() );
	file_put_contents( $out . '/settings.html', admin_page( $notices . $tab ) );
	file_put_contents( $out . '/sample-data.txt', implode( "\n", $added ) . "\n" );
} finally {
	$proxy->stop();
	$service->stop();
}

/**
 * WooCommerce's own order details, as My Account shows them above the plugin's section.
 *
 * @param array<string,mixed> $view The order view.
 */
function order_details( array $view ): string {
	$rows = '';
	foreach ( $view['line_items'] as $item ) {
		$rows .= '<tr><td>' . esc_html( $item['name'] ) . ' <strong>&times;&nbsp;' . (int) $item['quantity'] . '</strong></td><td>₩' . esc_html( number_format( (float) $item['subtotal'] ) ) . '</td></tr>';
	}
	return '<p>Order #<mark>1001</mark> was placed on <mark>November 14, 2026</mark> and is currently <mark>Processing</mark>.</p>'
		. '<h2>Order details</h2><table class="shop_table"><thead><tr><th>Product</th><th>Total</th></tr></thead><tbody>' . $rows . '</tbody>'
		. '<tfoot><tr><th>Total</th><td>₩' . esc_html( number_format( (float) $view['total'] ) ) . '</td></tr></tfoot></table>';
}

/**
 * A My Account page with WooCommerce's markup.
 *
 * @param string   $title  Page title.
 * @param string   $body   Content.
 * @param string   $active Menu entry.
 * @param string[] $css    Stylesheets.
 */
function shop_page( string $title, string $body, string $active, array $css ): string {
	$menu = '';
	foreach ( apply_filters( 'woocommerce_account_menu_items', array( 'dashboard' => 'Dashboard', 'orders' => 'Orders', 'downloads' => 'Downloads', 'edit-address' => 'Addresses', 'edit-account' => 'Account details', 'customer-logout' => 'Log out' ) ) as $key => $label ) {
		$menu .= '<li class="woocommerce-MyAccount-navigation-link' . ( $key === $active ? ' is-active' : '' ) . '"><a href="#">' . esc_html( $label ) . '</a></li>';
	}
	$links = implode( '', array_map( static fn( $href ) => '<link rel="stylesheet" href="' . esc_attr( $href ) . '">', $css ) );
	return '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>' . esc_html( $title ) . '</title>' . $links . '</head><body class="woocommerce-account">'
		. '<header class="site-header"><span class="site-title">Seoul Select</span><nav>Shop · Journal · Cart (0)</nav></header>'
		. '<main class="site-main"><h1 class="entry-title">My account</h1><div class="woocommerce"><nav class="woocommerce-MyAccount-navigation"><ul>' . $menu . '</ul></nav>'
		. '<div class="woocommerce-MyAccount-content">' . $body . '</div></div></main></body></html>';
}

/**
 * WooCommerce → Settings → Aftercare inside the WordPress admin's own stylesheets.
 *
 * @param string $content The tab.
 */
function admin_page( string $content ): string {
	$wp    = '/usr/share/wordpress';
	$sheets = array( "$wp/wp-includes/css/dashicons.css", "$wp/wp-admin/css/common.css", "$wp/wp-admin/css/forms.css", "$wp/wp-includes/css/buttons.css", "$wp/wp-admin/css/admin-menu.css", "$wp/wp-admin/css/list-tables.css", dirname( __DIR__, 2 ) . '/aftercare-for-woocommerce/assets/admin.css' );
	$links = '';
	foreach ( $sheets as $sheet ) {
		if ( is_readable( $sheet ) ) {
			$links .= '<link rel="stylesheet" href="file://' . esc_attr( $sheet ) . '">';
		}
	}
	$tabs = '';
	foreach ( apply_filters( 'woocommerce_settings_tabs_array', array( 'general' => 'General', 'products' => 'Products', 'tax' => 'Tax', 'shipping' => 'Shipping', 'checkout' => 'Payments', 'account' => 'Accounts &amp; Privacy', 'email' => 'Emails', 'integration' => 'Integration', 'advanced' => 'Advanced' ) ) as $id => $label ) {
		$tabs .= '<a href="#" class="nav-tab' . ( 'aftercare' === $id ? ' nav-tab-active' : '' ) . '">' . $label . '</a>';
	}
	return '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Aftercare settings</title>' . $links
		. '<style>body{background:#f0f0f1;margin:0}#wpcontent{margin-left:160px;padding-left:20px}#adminmenuback,#adminmenuwrap{position:fixed;top:0;bottom:0;width:160px;background:#1d2327}#adminmenu{margin:12px 0;padding:0;list-style:none}#adminmenu li{color:#f0f0f1;padding:8px 12px;font-size:14px}#adminmenu li.current{background:#2271b1}#wpadminbar{height:32px;background:#1d2327}</style>'
		. '</head><body class="wp-admin wp-core-ui woocommerce_page_wc-settings"><div id="wpadminbar"></div><div id="adminmenuwrap"><ul id="adminmenu"><li>Dashboard</li><li>Posts</li><li>Pages</li><li class="current">WooCommerce</li><li>Products</li><li>Appearance</li><li>Plugins</li><li>Users</li><li>Settings</li></ul></div>'
		. '<div id="wpcontent"><div class="wrap woocommerce"><form method="post" id="mainform"><nav class="nav-tab-wrapper woo-nav-tab-wrapper">' . $tabs . '</nav><h1 class="screen-reader-text">Aftercare</h1>'
		. $content . '<p class="submit"><button class="button-primary woocommerce-save-button" type="submit">Save changes</button></p></form></div></div></body></html>';
}
