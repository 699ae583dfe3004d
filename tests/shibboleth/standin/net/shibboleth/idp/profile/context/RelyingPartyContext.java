package net.shibboleth.idp.profile.context;

import org.opensaml.messaging.context.BaseContext;

/** TEST STAND-IN for the IdP's RelyingPartyContext: the requester's entityID. */
public final class RelyingPartyContext extends BaseContext {

    private String relyingPartyId;

    public String getRelyingPartyId() {
        return relyingPartyId;
    }

    public RelyingPartyContext setRelyingPartyId(final String id) {
        relyingPartyId = id;
        return this;
    }
}
