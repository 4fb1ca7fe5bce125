<?php
/**
 * Sets up the test shop with WooCommerce's own CRUD classes (run by `wp eval-file`): a store in
 * Los Angeles (its address in San Francisco) selling in USD with California tax to the US and
 * South Korea, a shipping zone with a flat rate for each, bank transfer and cash on delivery,
 * a logo (the block theme's site logo, wider than aftercare takes it), three products (one
 * variable), a coupon, a registered customer, a page with the guest tracking form, and REST
 * API keys for aftercare. Prints what the tests need as JSON.
 *
 * @package Aftercare
 */

defined( 'ABSPATH' ) || exit;

$aftercare_options = array(
	'blogname'                                => 'Aftercare Test Shop',
	'timezone_string'                         => 'America/Los_Angeles',
	'woocommerce_store_address'               => '1 Harbor Way',
	'woocommerce_store_city'                  => 'San Francisco',
	'woocommerce_store_postcode'              => '94105',
	'woocommerce_default_country'             => 'US:CA',
	'woocommerce_allowed_countries'           => 'specific',
	'woocommerce_specific_allowed_countries'  => array( 'US', 'KR' ),
	'woocommerce_ship_to_countries'           => '',
	'woocommerce_currency'                    => 'USD',
	'woocommerce_calc_taxes'                  => 'yes',
	'woocommerce_prices_include_tax'          => 'no',
	'woocommerce_tax_based_on'                => 'shipping',
	'woocommerce_enable_coupons'              => 'yes',
	'woocommerce_enable_guest_checkout'       => 'yes',
	'woocommerce_coming_soon'                 => 'no',
	'woocommerce_store_pages_only'            => 'no',
	'woocommerce_allow_tracking'              => 'no',
	'woocommerce_show_marketplace_suggestions' => 'no',
	'woocommerce_onboarding_profile'          => array( 'skipped' => true ),
	'woocommerce_task_list_hidden'            => 'yes',
	'woocommerce_bacs_settings'               => array(
		'enabled'     => 'yes',
		'title'       => 'Direct bank transfer',
		'description' => 'Pay into our bank account; we ship when it arrives.',
	),
	'woocommerce_cod_settings'                => array(
		'enabled'     => 'yes',
		'title'       => 'Cash on delivery',
		'description' => 'Pay the courier.',
	),
);
foreach ( $aftercare_options as $aftercare_name => $aftercare_value ) {
	update_option( $aftercare_name, $aftercare_value );
}
delete_transient( '_wc_activation_redirect' );

WC_Tax::_insert_tax_rate(
	array(
		'tax_rate_country'  => 'US',
		'tax_rate_state'    => 'CA',
		'tax_rate'          => '7.2500',
		'tax_rate_name'     => 'CA Tax',
		'tax_rate_priority' => 1,
		'tax_rate_compound' => 0,
		'tax_rate_shipping' => 1,
		'tax_rate_order'    => 0,
		'tax_rate_class'    => '',
	)
);

$aftercare_zone = new WC_Shipping_Zone();
$aftercare_zone->set_zone_name( 'United States' );
$aftercare_zone->add_location( 'US', 'country' );
$aftercare_zone->save();
$aftercare_instance = $aftercare_zone->add_shipping_method( 'flat_rate' );
update_option(
	'woocommerce_flat_rate_' . $aftercare_instance . '_settings',
	array(
		'title'      => 'Flat rate',
		'tax_status' => 'taxable',
		'cost'       => '5',
	)
);

$aftercare_kr_zone = new WC_Shipping_Zone();
$aftercare_kr_zone->set_zone_name( 'South Korea' );
$aftercare_kr_zone->add_location( 'KR', 'country' );
$aftercare_kr_zone->save();
$aftercare_kr_instance = $aftercare_kr_zone->add_shipping_method( 'flat_rate' );
update_option(
	'woocommerce_flat_rate_' . $aftercare_kr_instance . '_settings',
	array(
		'title'      => 'International flat rate',
		'tax_status' => 'none',
		'cost'       => '20',
	)
);

// The logo: a PNG drawn with GD, 800 px wide (aftercare takes at most 600), in the media
// library and set as the block theme's site logo.
$aftercare_logo_image = imagecreatetruecolor( 200, 50 );
imagefill( $aftercare_logo_image, 0, 0, imagecolorallocate( $aftercare_logo_image, 20, 83, 116 ) );
imagestring( $aftercare_logo_image, 5, 16, 17, 'Aftercare Test Shop', imagecolorallocate( $aftercare_logo_image, 255, 255, 255 ) );
$aftercare_logo_image = imagescale( $aftercare_logo_image, 800, 200 );
ob_start();
imagepng( $aftercare_logo_image );
$aftercare_logo_upload = wp_upload_bits( 'aftercare-test-shop-logo.png', null, (string) ob_get_clean() );
if ( ! empty( $aftercare_logo_upload['error'] ) ) {
	fwrite( STDERR, $aftercare_logo_upload['error'] . "\n" );
	exit( 1 );
}
$aftercare_logo = wp_insert_attachment(
	array(
		'post_mime_type' => 'image/png',
		'post_title'     => 'Aftercare Test Shop logo',
		'post_status'    => 'inherit',
	),
	$aftercare_logo_upload['file']
);
require_once ABSPATH . 'wp-admin/includes/image.php';
wp_update_attachment_metadata( $aftercare_logo, wp_generate_attachment_metadata( $aftercare_logo, $aftercare_logo_upload['file'] ) );
update_option( 'site_logo', $aftercare_logo );

$aftercare_shirt = new WC_Product_Simple();
$aftercare_shirt->set_name( 'Linen shirt' );
$aftercare_shirt->set_sku( 'SHIRT-1' );
$aftercare_shirt->set_regular_price( '40.00' );
$aftercare_shirt->set_manage_stock( true );
$aftercare_shirt->set_stock_quantity( 50 );
$aftercare_shirt->save();

$aftercare_mug = new WC_Product_Simple();
$aftercare_mug->set_name( 'Ceramic mug' );
$aftercare_mug->set_sku( 'MUG-1' );
$aftercare_mug->set_regular_price( '12.00' );
$aftercare_mug->save();

$aftercare_attribute = new WC_Product_Attribute();
$aftercare_attribute->set_name( 'Colour' );
$aftercare_attribute->set_options( array( 'Red', 'Blue' ) );
$aftercare_attribute->set_visible( true );
$aftercare_attribute->set_variation( true );
$aftercare_scarf = new WC_Product_Variable();
$aftercare_scarf->set_name( 'Wool scarf' );
$aftercare_scarf->set_sku( 'SCARF' );
$aftercare_scarf->set_attributes( array( $aftercare_attribute ) );
$aftercare_scarf->save();
$aftercare_variations = array();
foreach ( array( 'Red' => '25.00', 'Blue' => '27.00' ) as $aftercare_colour => $aftercare_price ) {
	$aftercare_variation = new WC_Product_Variation();
	$aftercare_variation->set_parent_id( $aftercare_scarf->get_id() );
	$aftercare_variation->set_attributes( array( 'colour' => $aftercare_colour ) );
	$aftercare_variation->set_sku( 'SCARF-' . strtoupper( $aftercare_colour ) );
	$aftercare_variation->set_regular_price( $aftercare_price );
	$aftercare_variation->save();
	$aftercare_variations[ $aftercare_colour ] = $aftercare_variation->get_id();
}
WC_Product_Variable::sync( $aftercare_scarf->get_id() );

$aftercare_coupon = new WC_Coupon();
$aftercare_coupon->set_code( 'welcome10' );
$aftercare_coupon->set_discount_type( 'percent' );
$aftercare_coupon->set_amount( 10 );
$aftercare_coupon->save();

$aftercare_customer_id = wc_create_new_customer( 'mina@customer.test', 'mina', 'customer-password-1', array( 'first_name' => 'Mina', 'last_name' => 'Park' ) );
if ( is_wp_error( $aftercare_customer_id ) ) {
	fwrite( STDERR, $aftercare_customer_id->get_error_message() . "\n" );
	exit( 1 );
}
$aftercare_customer = new WC_Customer( $aftercare_customer_id );
$aftercare_address  = array(
	'first_name' => 'Mina',
	'last_name'  => 'Park',
	'address_1'  => '500 Grand Ave',
	'city'       => 'Los Angeles',
	'state'      => 'CA',
	'postcode'   => '90071',
	'country'    => 'US',
);
foreach ( $aftercare_address as $aftercare_field => $aftercare_value ) {
	$aftercare_customer->{"set_billing_$aftercare_field"}( $aftercare_value );
	$aftercare_customer->{"set_shipping_$aftercare_field"}( $aftercare_value );
}
$aftercare_customer->set_billing_email( 'mina@customer.test' );
$aftercare_customer->set_billing_phone( '+1 213 555 0100' );
$aftercare_customer->save();

$aftercare_track_page = wp_insert_post(
	array(
		'post_type'    => 'page',
		'post_status'  => 'publish',
		'post_title'   => 'Track your order',
		'post_name'    => 'track',
		'post_content' => '<!-- wp:shortcode -->[aftercare_track]<!-- /wp:shortcode -->',
	)
);

// REST API keys for aftercare, as WooCommerce's own key screen stores them.
global $wpdb;
$aftercare_admin = get_user_by( 'login', 'admin' );
$aftercare_ck    = 'ck_' . wc_rand_hash();
$aftercare_cs    = 'cs_' . wc_rand_hash();
$wpdb->insert(
	$wpdb->prefix . 'woocommerce_api_keys',
	array(
		'user_id'         => $aftercare_admin->ID,
		'description'     => 'aftercare',
		'permissions'     => 'read_write',
		'consumer_key'    => wc_api_hash( $aftercare_ck ),
		'consumer_secret' => $aftercare_cs,
		'truncated_key'   => substr( $aftercare_ck, -7 ),
	)
);

echo wp_json_encode(
	array(
		'admin_id'        => $aftercare_admin->ID,
		'customer_id'     => $aftercare_customer_id,
		'shirt'           => $aftercare_shirt->get_id(),
		'mug'             => $aftercare_mug->get_id(),
		'scarf'           => $aftercare_scarf->get_id(),
		'scarf_red'       => $aftercare_variations['Red'],
		'scarf_blue'      => $aftercare_variations['Blue'],
		'track_page'      => $aftercare_track_page,
		'logo'            => $aftercare_logo,
		'logo_url'        => wp_get_attachment_url( $aftercare_logo ),
		'consumer_key'    => $aftercare_ck,
		'consumer_secret' => $aftercare_cs,
	)
) . "\n";
