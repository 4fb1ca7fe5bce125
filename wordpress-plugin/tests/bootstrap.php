<?php
/**
 * PHPUnit bootstrap: the stand-in environment with the plugin, and the test bases.
 *
 * @package Aftercare\Tests
 */

require __DIR__ . '/environment.php';
require __DIR__ . '/support/Plugin_Test_Case.php';
require __DIR__ . '/support/Service_Test_Case.php';
require __DIR__ . '/support/Scripted_Test_Case.php';
