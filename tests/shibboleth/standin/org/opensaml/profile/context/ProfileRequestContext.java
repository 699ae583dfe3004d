package org.opensaml.profile.context;

import org.opensaml.messaging.context.BaseContext;

/** TEST STAND-IN for OpenSAML's ProfileRequestContext: the root of a login's context tree. */
public class ProfileRequestContext extends BaseContext {

    /** Request attribute (and webflow conversation scope key) the IdP binds it to. */
    public static final String BINDING_KEY = "opensamlProfileRequestContext";
}
