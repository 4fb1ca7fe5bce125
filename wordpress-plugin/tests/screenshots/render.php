<?php
/**
 * Renders the screens for the screenshots with the plugin's real templates, handlers and API
 * client, from a real aftercare that has lived through a real story:
 *
 * - order 1001 arrives by signed webhook and is invoiced; WooCommerce records a ₩15,000
 *   goodwill refund (credit note 1);
 * - staff add two parcels with the staff API and the carriers report events; the second
 *   parcel runs late (a real delay alert);
 * - the customer asks to return the damaged mouse with a photo (the plugin's form handler);
 *   staff approve, receive and refund it from the Returns queue (the plugin's handler, as
 *   "Jae Park"); aftercare refunds it in WooCommerce (a stand-in REST API, tests/support/
 *   woocommerce-router.php) and WooCommerce's next webhook brings credit note 2;
 * - an earlier order, 1003, has a return settled as store credit and one just requested;
 * - the plugin's Connect sets up the webhooks; aftercare reconciles and checks them.
 *
 * WooCommerce itself is the test stand-in (tests/stubs), wrapped in its own markup.
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
$seoul      = new DateTimeZone( 'Asia/Seoul' );

/**
 * A moment $days_ago days before today, at $hm o'clock in Seoul.
 *
 * @param int    $days_ago Days before today.
 * @param string $hm       Time of day, "HH:MM".
 */
function at( int $days_ago, string $hm ): int {
	global $seoul;
	return ( new DateTimeImmutable( 'today ' . $hm, $seoul ) )->modify( "-$days_ago days" )->getTimestamp();
}

function rfc3339( int $t ): string {
	return gmdate( 'Y-m-d\TH:i:s\Z', $t );
}

/**
 * Sets an order's dates as WooCommerce writes them: site time and GMT, without zone.
 *
 * @param array<string,mixed>     $order Order.
 * @param array<string,int|null>  $dates created, paid, completed, modified.
 */
function with_dates( array $order, array $dates ): array {
	global $seoul;
	foreach ( $dates as $key => $t ) {
		$order[ "date_{$key}_gmt" ] = null === $t ? null : gmdate( 'Y-m-d\TH:i:s', $t );
		$order[ "date_{$key}" ]     = null === $t ? null : ( new DateTimeImmutable( '@' . $t ) )->setTimezone( $seoul )->format( 'Y-m-d\TH:i:s' );
	}
	return $order;
}

/**
 * Fails loudly: a screenshot of a broken story would be worse than none.
 *
 * @param bool   $ok   Condition.
 * @param string $what What went wrong.
 */
function check( bool $ok, string $what ): void {
	if ( ! $ok ) {
		throw new RuntimeException( $what );
	}
}

$woo  = Scripted_Server::start( 'woocommerce-router.php' );
$port = Aftercare_Service::free_port();
$hook_url = 'http://127.0.0.1:' . $port . '/webhooks/woocommerce';
// The webhooks Connect creates below (WooCommerce numbers them from 100), as WooCommerce lists them.
$woo->put(
	'webhooks.json',
	array_map(
		static fn( $i, $topic ) => array( 'id' => 100 + $i, 'name' => 'aftercare ' . $topic, 'status' => 'active', 'topic' => $topic, 'delivery_url' => $hook_url ),
		array_keys( \Aftercare\Connector::TOPICS ),
		\Aftercare\Connector::TOPICS
	)
);
$service = Aftercare_Service::start(
	array(
		'AFTERCARE_STORE_URL'          => $woo->url,
		'AFTERCARE_WC_CONSUMER_KEY'    => 'ck_0c3f5a8e9b1d2c4e6f7a8b9c0d1e2f3a4b5c6d7e',
		'AFTERCARE_WC_CONSUMER_SECRET' => 'cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d',
		'AFTERCARE_TIMEZONE'           => 'Asia/Seoul',
		'AFTERCARE_SELLER_NAME'        => 'Seoul Select',
	),
	$port
);
$photos = array();
try {
	update_option( 'date_format', 'F j, Y' );
	update_option( 'time_format', 'H:i' );
	update_option( 'timezone_string', 'Asia/Seoul' );
	update_option( \Aftercare\Settings::URL_OPTION, $service->url );
	update_option( \Aftercare\Settings::API_KEY_OPTION, Aftercare_Service::API_KEY, false );
	$root = Aftercare_Service::repo_root() . '/fixtures/orders/';

	// Order 1001: paid nine days ago; the shop records parcels itself (no tracking plugin meta).
	$order              = json_decode( (string) file_get_contents( $root . 'registered-krw.json' ), true );
	$order['meta_data'] = array_values( array_filter( $order['meta_data'], static fn( $m ) => '_wc_shipment_tracking_items' !== $m['key'] ) );
	$goodwill           = $order['refunds'][0];
	$order['refunds']   = array();
	$order              = with_dates( $order, array( 'created' => at( 9, '10:12' ), 'paid' => at( 9, '10:12' ) + 36, 'completed' => null, 'modified' => at( 9, '10:13' ) ) );
	check( 200 === $service->deliver( 'order.created', (string) json_encode( $order ) )[0], 'order 1001 was not accepted' );
	$service->wait_for( '/api/v1/customers/42/orders/1001', static fn( $code, $json ) => 200 === $code && ! empty( $json['invoice'] ) );

	// A goodwill refund in WooCommerce: credit note 1.
	$order['refunds'] = array( $goodwill );
	$order            = with_dates( $order, array( 'modified' => at( 6, '15:30' ) ) );
	$woo->put( 'refunds.json', array( '1001' => array( array( 'id' => $goodwill['id'], 'amount' => '15000', 'reason' => $goodwill['reason'], 'line_items' => array(), 'meta_data' => array() ) ) ) );
	check( 200 === $service->deliver( 'order.updated', (string) json_encode( $order ) )[0], 'order 1001 update was not accepted' );

	// Two parcels through the staff API, and what the carriers reported.
	$parcel = static function ( array $body, array $events ) use ( $service ): int {
		list( $code, $shipment ) = $service->send( 'POST', '/api/v1/orders/1001/shipments', $body );
		check( 201 === $code, 'shipment refused: ' . json_encode( $shipment ) );
		foreach ( $events as $event ) {
			list( $code, $answer ) = $service->send( 'POST', '/api/v1/shipments/' . $shipment['id'] . '/events', $event );
			check( 201 === $code, 'event refused: ' . json_encode( $answer ) );
		}
		return (int) $shipment['id'];
	};
	$parcel(
		array(
			'carrier'         => 'cj-logistics',
			'tracking_number' => '568912340017',
			'shipped_at'      => rfc3339( at( 8, '11:00' ) ),
			'items'           => array( array( 'line_item_id' => 201, 'quantity' => 1 ), array( 'line_item_id' => 202, 'quantity' => 1 ) ),
		),
		array(
			array( 'status' => 'label_created', 'occurred_at' => rfc3339( at( 8, '11:00' ) ), 'location' => '서울 성수', 'description' => '운송장 출력' ),
			array( 'status' => 'in_transit', 'occurred_at' => rfc3339( at( 8, '23:10' ) ), 'location' => '곤지암 Hub', 'description' => '간선 하차' ),
			array( 'status' => 'out_for_delivery', 'occurred_at' => rfc3339( at( 7, '09:40' ) ), 'location' => '서울 강남', 'description' => '배송 출발' ),
			array( 'status' => 'delivered', 'occurred_at' => rfc3339( at( 7, '13:21' ) ), 'location' => '서울 강남', 'description' => '경비실 보관' ),
		)
	);
	$parcel(
		array(
			'carrier'         => 'hanjin',
			'tracking_number' => '420187654321',
			'shipped_at'      => rfc3339( at( 5, '18:00' ) ),
			'items'           => array( array( 'line_item_id' => 202, 'quantity' => 1 ) ),
		),
		array(
			array( 'status' => 'label_created', 'occurred_at' => rfc3339( at( 5, '18:05' ) ), 'location' => '서울 성수', 'description' => '집하 예정' ),
			array( 'status' => 'in_transit', 'occurred_at' => rfc3339( at( 4, '02:10' ) ), 'location' => '대전 HUB', 'description' => '간선 상차' ),
		)
	);
	$view = $service->wait_for( '/api/v1/customers/42/orders/1001', static fn( $code, $json ) => 200 === $code && count( $json['credit_notes'] ) === 1 && $json['alerts'] );
	check( 'partially_shipped' === $view['delivery_state'], 'order 1001 should be partly shipped, is ' . $view['delivery_state'] );

	// Order 1003, three weeks old and delivered: a linen overshirt and a tote bag.
	$earlier = json_decode( (string) file_get_contents( $root . 'registered-krw.json' ), true );
	$item    = static fn( int $id, int $product, string $name, string $sku, int $price ) => array_merge(
		$earlier['line_items'][0],
		array(
			'id'           => $id,
			'name'         => $name,
			'product_id'   => $product,
			'sku'          => $sku,
			'quantity'     => 1,
			'subtotal'     => (string) $price,
			'subtotal_tax' => (string) ( $price / 10 ),
			'total'        => (string) $price,
			'total_tax'    => (string) ( $price / 10 ),
			'taxes'        => array( array( 'id' => 1, 'total' => (string) ( $price / 10 ), 'subtotal' => (string) ( $price / 10 ) ) ),
			'meta_data'    => array(),
			'price'        => $price,
			'image'        => array( 'id' => '', 'src' => '' ),
		)
	);
	$earlier = array_merge(
		$earlier,
		array(
			'id'             => 1003,
			'number'         => '1003',
			'order_key'      => 'wc_order_Lq8Zt2nYv4Pe1',
			'status'         => 'completed',
			'line_items'     => array( $item( 301, 512, '린넨 오버셔츠 - 샌드, M', 'LN-OVS-SND-M', 59000 ), $item( 302, 533, '캔버스 토트백 - 내추럴', 'CV-TOTE-NAT', 32000 ) ),
			'fee_lines'      => array(),
			'coupon_lines'   => array(),
			'refunds'        => array(),
			'discount_total' => '0',
			'discount_tax'   => '0',
			'cart_tax'       => '9100',
			'total_tax'      => '9400',
			'total'          => '103400',
			'customer_note'  => '',
			'meta_data'      => array(),
		)
	);
	$earlier['tax_lines'][0]['tax_total'] = '9100';
	$earlier = with_dates( $earlier, array( 'created' => at( 25, '21:40' ), 'paid' => at( 25, '21:41' ), 'completed' => at( 22, '14:05' ), 'modified' => at( 22, '14:05' ) ) );
	check( 200 === $service->deliver( 'order.created', (string) json_encode( $earlier ) )[0], 'order 1003 was not accepted' );
	$service->wait_for( '/api/v1/customers/42/orders/1003', static fn( $code, $json ) => 200 === $code && ! empty( $json['invoice'] ) );

	WC_Stub::add_order_from_json( $order );
	WC_Stub::add_order_from_json( $earlier );
	add_filter( 'aftercare_is_uploaded_file', static fn() => true );

	// The customer's return requests, through the plugin's form handler.
	$request = static function ( int $order_id, array $fields, array $files = array() ): array {
		global $service;
		Stub::login( 42 );
		$uploads = $files ? Test_Image::uploads( $files ) : null;
		\Aftercare\Customer_Actions::handle_return_request( array( 'order_id' => (string) $order_id, '_wpnonce' => wp_create_nonce( \Aftercare\Customer_Actions::REQUEST_ACTION . '_' . $order_id ) ) + $fields, $uploads );
		foreach ( $uploads['tmp_name'] ?? array() as $tmp ) {
			unlink( $tmp );
		}
		check( 'success' === ( Stub::$wc_notices[0]['type'] ?? '' ), 'return refused: ' . json_encode( Stub::$wc_notices ) . json_encode( \Aftercare\Customer_Actions::take_form_state( 42, $order_id ) ) );
		Stub::$wc_notices = array();
		return $service->get( '/api/v1/returns' )[1]['returns'][0];
	};
	// Staff move them on from the Returns queue.
	$move = static function ( array $return, string $to, string $note = '' ): void {
		Stub::login( 7, array( 'manage_woocommerce' ), 'Jae Park' );
		\Aftercare\Returns_Queue::handle_transition(
			array(
				'return_id' => (string) $return['id'],
				'order_id'  => (string) $return['order_id'],
				'to'        => $to,
				'note'      => $note,
				'_wpnonce'  => wp_create_nonce( \Aftercare\Returns_Queue::TRANSITION_ACTION . '_' . $return['id'] ),
			)
		);
		$notice = \Aftercare\Admin_Notices::take()[0];
		check( 'success' === $notice['type'], 'move refused: ' . $notice['title'] . ' ' . implode( ' ', $notice['lines'] ) );
	};
	$settled = static function ( array $return ): array {
		global $service;
		return $service->wait_for( '/api/v1/returns/' . $return['id'], static fn( $code, $json ) => 'done' === ( $json['settlement']['status'] ?? '' ) );
	};

	$mouse = $request(
		1001,
		array(
			'items'      => array( '201' => array( 'quantity' => '1', 'reason' => 'damaged', 'reason_text' => 'The shell is cracked across the left button.' ) ),
			'resolution' => 'refund',
			'comment'    => '상자가 찌그러진 채로 도착했어요. 사진 첨부합니다.',
		),
		array( 'mouse.jpg' => mouse_photo() )
	);
	$move( $mouse, 'approved', 'Sorry about that! Please send it back with the prepaid CJ label we emailed you.' );
	$move( $mouse, 'received' );
	$move( $mouse, 'refunded', 'Refunded to your KakaoPay account; it shows within 3 to 5 days.' );
	$mouse = $settled( $mouse );

	// WooCommerce's next webhook carries the refund aftercare made: credit note 2.
	$order['refunds'][] = array( 'id' => $mouse['settlement']['wc_refund_id'], 'reason' => 'Return #' . $mouse['id'], 'total' => '-' . $mouse['amount'] );
	$order              = with_dates( $order, array( 'modified' => time() - 30 ) );
	check( 200 === $service->deliver( 'order.updated', (string) json_encode( $order ) )[0], 'order 1001 refund update was not accepted' );

	$shirt = $request( 1003, array( 'items' => array( '301' => array( 'quantity' => '1', 'reason' => 'too_small' ) ), 'resolution' => 'store_credit', 'comment' => 'Lovely shirt, but M is tight across the shoulders.' ) );
	$move( $shirt, 'approved' );
	$move( $shirt, 'received' );
	$move( $shirt, 'credited', 'Thank you! Your store credit is ready to use.' );
	$settled( $shirt );
	$request(
		1003,
		array(
			'items'      => array( '302' => array( 'quantity' => '1', 'reason' => 'not_as_described', 'reason_text' => 'There is a stain on the front that is not in the photos.' ) ),
			'resolution' => 'exchange',
		),
		array( 'tote-front.png' => tote_photo(), 'tote-detail.png' => tote_photo( true ) )
	);

	$view = $service->wait_for( '/api/v1/customers/42/orders/1001', static fn( $code, $json ) => 200 === $code && count( $json['credit_notes'] ) === 2 );
	check( 'nothing_left' === $view['return_eligibility'][0]['reason'] && 'not_delivered' === $view['return_eligibility'][2]['reason'], 'unexpected eligibility: ' . json_encode( $view['return_eligibility'] ) );

	// WooCommerce lists the orders as they now are; aftercare's reconciliation finds nothing missing.
	$woo->put( 'orders.json', array( $order, $earlier ) );

	// The customer's pages.
	Stub::login( 42 );
	$css = array( 'file://' . $plugin_dir . '/assets/aftercare.css', 'file://' . __DIR__ . '/shop.css' );
	file_put_contents( $out . '/order.html', shop_page( 'Order #1001', order_details( $view ) . \Aftercare\Account::order_section( 1001 ), 'orders', $css ) );
	file_put_contents( $out . '/returns.html', shop_page( \Aftercare\Account::returns_title(), \Aftercare\Account::returns_tab(), 'returns', $css ) );
	file_put_contents( $out . '/tracking.html', shop_page( 'Tracking', \Aftercare\Account::tracking_tab(), 'tracking', $css ) );

	// The admin: Connect, then the settings tab with aftercare's health.
	Stub::login( 1, array( 'manage_woocommerce', 'read_private_shop_orders' ), 'Jae Park' );
	$connect = \Aftercare\Connector::connect( 1 );
	check( $connect['ok'], 'Connect failed: ' . implode( ' ', $connect['lines'] ) );
	\Aftercare\Admin_Notices::add( 'success', $connect['title'], $connect['lines'] );
	$health = $service->wait_for( '/api/v1/store/health', static fn( $code, $json ) => 200 === $code && null !== $json['last_reconciliation_at'] && null !== $json['webhooks_checked_at'] );
	check( array() === $health['problems'], 'store health has problems: ' . json_encode( $health['problems'] ) );
	file_put_contents( $out . '/settings.html', admin_page( notices() . \Aftercare\Admin_Settings::tab(), true ) );

	// The Returns queue, its photos fetched through the plugin's proxy as the browser would.
	$queue = \Aftercare\Returns_Queue::page( 'all' );
	$queue = preg_replace_callback(
		'#https://shop\.test/wp-admin/admin-post\.php\?action=aftercare_return_photo[^"]*#',
		static function ( $m ) use ( $out, &$photos ) {
			parse_str( (string) parse_url( html_entity_decode( $m[0] ), PHP_URL_QUERY ), $get );
			$photo = \Aftercare\Returns_Queue::fetch_photo( $get );
			check( is_array( $photo ), 'the photo proxy answered ' . json_encode( $photo ) );
			$file = $out . '/' . $photo['filename'];
			rename( $photo['file'], $file );
			$photos[ $file ] = true;
			return 'file://' . $file;
		},
		$queue
	);
	check( count( $photos ) === 3, 'expected three photos, got ' . count( $photos ) );
	file_put_contents( $out . '/returns-queue.html', admin_page( $queue, false ) );
} finally {
	$woo->stop();
	$service->stop();
}

/**
 * What the admin notices say (after an action's redirect).
 */
function notices(): string {
	ob_start();
	\Aftercare\Admin_Notices::print_notices();
	return (string) ob_get_clean();
}

/**
 * WooCommerce's own order details, as My Account shows them above the plugin's section.
 *
 * @param array<string,mixed> $view The order view.
 */
function order_details( array $view ): string {
	$rows = '';
	foreach ( $view['line_items'] as $item ) {
		$rows .= '<tr><td>' . esc_html( $item['name'] ) . ' <strong>&times;&nbsp;' . (int) $item['quantity'] . '</strong></td><td>' . wc_price( (float) $item['subtotal'], array( 'currency' => 'KRW', 'decimals' => 0 ) ) . '</td></tr>';
	}
	$placed = wp_date( 'F j, Y', strtotime( $view['date_created'] ) );
	return '<p>Order #<mark>' . esc_html( $view['number'] ) . '</mark> was placed on <mark>' . esc_html( $placed ) . '</mark> and is currently <mark>Processing</mark>.</p>'
		. '<h2>Order details</h2><table class="shop_table"><thead><tr><th>Product</th><th>Total</th></tr></thead><tbody>' . $rows . '</tbody>'
		. '<tfoot><tr><th>Total</th><td>' . wc_price( (float) $view['total'], array( 'currency' => 'KRW', 'decimals' => 0 ) ) . '</td></tr>'
		. '<tr><th>Refunded</th><td>&minus;' . wc_price( (float) $view['refunded_total'], array( 'currency' => 'KRW', 'decimals' => 0 ) ) . '</td></tr></tfoot></table>';
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
	return '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>' . esc_html( $title ) . '</title>' . $links . '</head><body class="woocommerce-account">'
		. '<header class="site-header"><span class="site-title">Seoul Select</span><nav>Shop · Journal · Cart (0)</nav></header>'
		. '<main class="site-main"><h1 class="entry-title">' . esc_html( $title ) . '</h1><div class="woocommerce"><nav class="woocommerce-MyAccount-navigation"><ul>' . $menu . '</ul></nav>'
		. '<div class="woocommerce-MyAccount-content">' . $body . '</div></div></main></body></html>';
}

/**
 * A WordPress admin page with the admin's own stylesheets: WooCommerce → Settings → Aftercare,
 * or WooCommerce → Returns.
 *
 * @param string $content  The screen.
 * @param bool   $settings Wrap it in the settings tabs and form.
 */
function admin_page( string $content, bool $settings ): string {
	$wp     = '/usr/share/wordpress';
	$sheets = array( "$wp/wp-includes/css/dashicons.css", "$wp/wp-admin/css/common.css", "$wp/wp-admin/css/forms.css", "$wp/wp-includes/css/buttons.css", "$wp/wp-admin/css/admin-menu.css", "$wp/wp-admin/css/list-tables.css", "$wp/wp-admin/css/edit.css", dirname( __DIR__, 2 ) . '/aftercare-for-woocommerce/assets/admin.css' );
	$links  = '';
	foreach ( $sheets as $sheet ) {
		if ( is_readable( $sheet ) ) {
			$links .= '<link rel="stylesheet" href="file://' . esc_attr( $sheet ) . '">';
		}
	}
	$body = $content;
	if ( $settings ) {
		$tabs = '';
		foreach ( apply_filters( 'woocommerce_settings_tabs_array', array( 'general' => 'General', 'products' => 'Products', 'tax' => 'Tax', 'shipping' => 'Shipping', 'checkout' => 'Payments', 'account' => 'Accounts &amp; Privacy', 'email' => 'Emails', 'integration' => 'Integration', 'advanced' => 'Advanced' ) ) as $id => $label ) {
			$tabs .= '<a href="#" class="nav-tab' . ( 'aftercare' === $id ? ' nav-tab-active' : '' ) . '">' . $label . '</a>';
		}
		$body = '<div class="wrap woocommerce"><form method="post" id="mainform"><nav class="nav-tab-wrapper woo-nav-tab-wrapper">' . $tabs . '</nav><h1 class="screen-reader-text">Aftercare</h1>'
			. $content . '<p class="submit"><button class="button-primary woocommerce-save-button" type="submit">Save changes</button></p></form></div>';
	}
	$menu = '';
	foreach ( array( 'Dashboard', 'Posts', 'Media', 'Pages', 'Comments', 'WooCommerce', 'Products', 'Analytics', 'Marketing', 'Appearance', 'Plugins', 'Users', 'Tools', 'Settings' ) as $entry ) {
		$menu .= '<li' . ( 'WooCommerce' === $entry ? ' class="current"' : '' ) . '>' . $entry . '</li>';
		if ( 'WooCommerce' === $entry ) {
			foreach ( array( 'Home', 'Orders', 'Customers', 'Returns', 'Reports', 'Settings', 'Status', 'Extensions' ) as $sub ) {
				$menu .= '<li class="sub' . ( ( $settings ? 'Settings' : 'Returns' ) === $sub ? ' current-sub' : '' ) . '">' . $sub . '</li>';
			}
		}
	}
	return '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>WordPress admin</title>' . $links
		. '<style>body{background:#f0f0f1;margin:0}#wpcontent{margin-left:160px;padding:0 20px 20px}#adminmenuwrap{position:fixed;top:32px;bottom:0;left:0;width:160px;background:#1d2327}#adminmenu{margin:8px 0;padding:0;list-style:none}#adminmenu li{color:#f0f0f1;padding:7px 12px;font-size:14px}#adminmenu li.current{background:#2271b1;color:#fff}#adminmenu li.sub{background:#2c3338;font-size:13px;padding:5px 12px 5px 20px;color:#c3c4c7}#adminmenu li.current-sub{color:#fff;font-weight:600}#wpadminbar{height:32px;background:#1d2327;color:#f0f0f1;font-size:13px;line-height:32px;padding-left:12px}</style>'
		. '</head><body class="wp-admin wp-core-ui"><div id="wpadminbar">Seoul Select &nbsp;·&nbsp; Howdy, Jae Park</div><div id="adminmenuwrap"><ul id="adminmenu">' . $menu . '</ul></div>'
		. '<div id="wpcontent">' . $body . '</div></body></html>';
}

/**
 * A photo of a cracked wireless mouse on a wooden desk.
 */
function mouse_photo(): string {
	$w = 480;
	$h = 360;
	// The crack: a jagged line across the left button, in the mouse's own coordinates.
	$crack = array( array( -70, -70 ), array( -40, -52 ), array( -32, -30 ), array( -8, -18 ), array( 4, 6 ), array( 30, 16 ) );
	return Test_Image::png(
		$w,
		$h,
		static function ( $x, $y ) use ( $w, $h, $crack ) {
			// Desk: warm oak with grain and a soft vignette.
			$grain = 10 * sin( $x * 0.045 + 4 * sin( $y * 0.015 ) ) + 5 * sin( $x * 0.21 + $y * 0.02 );
			$vig   = 1 - 0.35 * ( ( ( $x - $w / 2 ) / $w ) ** 2 + ( ( $y - $h / 2 ) / $h ) ** 2 ) * 2;
			$rgb   = array( ( 206 + $grain ) * $vig, ( 170 + $grain * 0.8 ) * $vig, ( 128 + $grain * 0.5 ) * $vig );
			// The mouse, tilted 18 degrees.
			$a  = deg2rad( -18 );
			$cx = $x - 250;
			$cy = $y - 185;
			$u  = $cx * cos( $a ) - $cy * sin( $a );
			$v  = $cx * sin( $a ) + $cy * cos( $a );
			$rx = 88;
			$ry = 128;
			// Shadow first.
			$su = $u - 10;
			$sv = $v - 14;
			$sd = ( $su / ( $rx + 10 ) ) ** 2 + ( $sv / ( $ry + 10 ) ) ** 2;
			if ( $sd < 1.6 ) {
				$dark = 1 - 0.45 * max( 0, min( 1, ( 1.6 - $sd ) / 0.8 ) );
				$rgb  = array_map( static fn( $c ) => $c * $dark, $rgb );
			}
			$d = ( $u / $rx ) ** 2 + ( $v / $ry ) ** 2;
			if ( $d <= 1 ) {
				$light = 1.25 - 0.55 * ( ( $u / $rx + $v / $ry ) * 0.5 + 0.5 ) - 0.25 * $d;
				$rgb   = array( 52 * $light + 10, 56 * $light + 10, 64 * $light + 12 );
				if ( $v < -20 && abs( $u ) < 1.6 ) {
					$rgb = array( 24, 26, 30 );
				}
				if ( abs( $u ) < 9 && $v > -96 && $v < -52 ) {
					$rgb = ( fmod( abs( $v + 74 ), 6 ) < 3 ) ? array( 150, 152, 158 ) : array( 118, 120, 126 );
				}
				for ( $i = 0; $i < count( $crack ) - 1; $i++ ) {
					list( $x1, $y1 ) = $crack[ $i ];
					list( $x2, $y2 ) = $crack[ $i + 1 ];
					$t = max( 0, min( 1, ( ( $u - $x1 ) * ( $x2 - $x1 ) + ( $v - $y1 ) * ( $y2 - $y1 ) ) / ( ( $x2 - $x1 ) ** 2 + ( $y2 - $y1 ) ** 2 ) ) );
					$dist = hypot( $u - ( $x1 + $t * ( $x2 - $x1 ) ), $v - ( $y1 + $t * ( $y2 - $y1 ) ) );
					if ( $dist < 1.4 ) {
						$rgb = array( 12, 12, 14 );
					} elseif ( $dist < 2.6 ) {
						$rgb = array( 170, 172, 178 );
					}
				}
			}
			return $rgb;
		}
	);
}

/**
 * A canvas tote bag with a coffee stain on the front (or a close-up of the stain).
 *
 * @param bool $detail The close-up.
 */
function tote_photo( bool $detail = false ): string {
	// The stain: overlapping soft blobs, darker at the rim as coffee dries.
	$blobs = array( array( 290, 238, 11 ), array( 302, 246, 8 ), array( 281, 249, 7 ), array( 297, 229, 6 ), array( 312, 257, 4 ), array( 321, 266, 2.5 ), array( 274, 226, 3 ) );
	return Test_Image::png(
		480,
		360,
		static function ( $x, $y ) use ( $detail, $blobs ) {
			$zoom = $detail ? 3.2 : 1;
			$px   = ( $x - 240 ) / $zoom + ( $detail ? 292 : 240 );
			$py   = ( $y - 180 ) / $zoom + ( $detail ? 242 : 180 );
			$rgb  = array( 238 - $y * 0.05, 237 - $y * 0.05, 233 - $y * 0.05 );
			// Shadow, bag, handles.
			$half   = 112 + ( $py - 120 ) * 0.06;
			$in_bag = abs( $px - 240 ) < $half && $py > 120 && $py < 330;
			$ring   = hypot( ( $px - 240 ) / 1.05, ( $py - 122 ) * 1.05 );
			$handle = $py < 124 && ( abs( $ring - 66 ) < 6 );
			if ( ! $in_bag && abs( $px - 246 ) < $half + 4 && $py > 126 && $py < 338 ) {
				$rgb = array_map( static fn( $c ) => $c * 0.88, $rgb );
			}
			if ( $in_bag || $handle ) {
				$weave = 4 * sin( $px * 2.1 ) * sin( $py * 2.3 ) + 2 * sin( $px * 0.7 + $py * 0.3 );
				$shade = 1 - 0.12 * ( ( $px - 240 ) / 130 ) ** 2;
				$rgb   = array( ( 226 + $weave ) * $shade, ( 213 + $weave ) * $shade, ( 184 + $weave ) * $shade );
				if ( $in_bag && ( $py < 132 || $py > 322 ) ) {
					$rgb = array_map( static fn( $c ) => $c * 0.9, $rgb );
				}
				if ( $handle ) {
					$rgb = array_map( static fn( $c ) => $c * 0.93, $rgb );
				}
			}
			if ( $in_bag ) {
				$field = 0;
				foreach ( $blobs as list( $bx, $by, $r ) ) {
					$field += exp( -( ( $px - $bx ) ** 2 + ( $py - $by ) ** 2 ) / ( 2 * $r * $r ) );
				}
				if ( $field > 0.35 ) {
					$edge = max( 0, 1 - abs( $field - 0.42 ) / 0.12 );
					$k    = 0.78 + 0.08 * min( 1, $field ) - 0.22 * $edge;
					$rgb  = array( $rgb[0] * $k + 80 * ( 1 - $k ), $rgb[1] * $k + 45 * ( 1 - $k ), $rgb[2] * $k + 15 * ( 1 - $k ) );
				}
			}
			return $rgb;
		}
	);
}
