<?php
/**
 * Router for `php -S`: a service that answers far too late.
 *
 * @package Aftercare\Tests
 */

sleep( 5 );
header( 'Content-Type: application/json' );
echo '{"status":"ok"}';
