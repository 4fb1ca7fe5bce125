/**
 * The ask form: once a topic is chosen, the answers that fit it are shown above the message
 * box, so the question may not need sending at all. The HTML comes escaped from WordPress.
 */
( function () {
	'use strict';
	document.querySelectorAll( 'form.aftercare-support-form' ).forEach( function ( form ) {
		var topic = form.querySelector( '[name=topic]' );
		var box = form.querySelector( '.aftercare-support-form__answers' );
		if ( ! topic || ! box || ! window.fetch || ! window.FormData ) {
			return;
		}
		var asked = 0;
		function show() {
			var ticket = ++asked;
			box.innerHTML = '';
			if ( ! topic.value ) {
				return;
			}
			var data = new FormData();
			data.append( 'action', 'aftercare_answers' );
			data.append( 'order_id', form.getAttribute( 'data-order-id' ) );
			data.append( 'topic', topic.value );
			data.append( 'nonce', form.getAttribute( 'data-answers-nonce' ) );
			var proof = {};
			try {
				proof = JSON.parse( form.getAttribute( 'data-answers-proof' ) || '{}' );
			} catch ( e ) {}
			Object.keys( proof ).forEach( function ( key ) {
				data.append( key, proof[ key ] );
			} );
			fetch( form.getAttribute( 'data-answers-url' ), { method: 'POST', body: data, credentials: 'same-origin' } )
				.then( function ( r ) {
					return r.ok ? r.json() : null;
				} )
				.then( function ( json ) {
					if ( ticket === asked && json && json.success && json.data && typeof json.data.html === 'string' ) {
						box.innerHTML = json.data.html;
					}
				} )
				.catch( function () {} );
		}
		topic.addEventListener( 'change', show );
		if ( topic.value ) {
			show();
		}
	} );
}() );
