<?php
/**
 * Base for tests that talk to a scripted stand-in for aftercare: one server per test class.
 *
 * @package Aftercare\Tests
 */

abstract class Scripted_Test_Case extends Plugin_Test_Case {

	/** The stand-in this class's tests script. */
	protected static Scripted_Server $server;

	public static function setUpBeforeClass(): void {
		parent::setUpBeforeClass();
		self::$server = Scripted_Server::start();
	}

	public static function tearDownAfterClass(): void {
		self::$server->stop();
		parent::tearDownAfterClass();
	}
}
