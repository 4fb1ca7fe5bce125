<?php
/**
 * Router for PHP's built-in server: existing files are served as they are (PHP files run),
 * everything else goes through WordPress's index.php so pretty permalinks work.
 *
 * @package Aftercare
 */

$aftercare_root = rtrim( $_SERVER['DOCUMENT_ROOT'], '/' );
$aftercare_path = (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
$aftercare_file = $aftercare_root . $aftercare_path;

if ( '/' !== $aftercare_path && is_file( $aftercare_file ) ) {
	return false;
}
if ( is_dir( $aftercare_file ) && is_file( rtrim( $aftercare_file, '/' ) . '/index.php' ) ) {
	return false;
}
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $aftercare_root . '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
require $aftercare_root . '/index.php';
