/**
 * Editor side of the aftercare/track block: a preview rendered by the server, no build step.
 */
( function ( wp ) {
	var el = wp.element.createElement;
	var ServerSideRender = wp.serverSideRender;
	wp.blocks.registerBlockType( 'aftercare/track', {
		edit: function () {
			return el( ServerSideRender, { block: 'aftercare/track' } );
		},
		save: function () {
			return null;
		},
	} );
} )( window.wp );
