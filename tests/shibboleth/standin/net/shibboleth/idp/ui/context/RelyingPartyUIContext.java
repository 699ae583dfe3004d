package net.shibboleth.idp.ui.context;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.opensaml.messaging.context.BaseContext;

/**
 * TEST STAND-IN for the IdP's RelyingPartyUIContext, with the behaviour of its
 * {@link #getServiceName()}: the SP's mdui:DisplayName in the first browser language the
 * metadata has, else in a fallback language, else the entityID's host name (or the entityID
 * when it is not an http(s) URL). The tests fill it in place of SP metadata.
 */
public final class RelyingPartyUIContext extends BaseContext {

    private String entityId;
    private final Map<Locale, String> displayNames = new LinkedHashMap<>();
    private final Map<Locale, String> logos = new LinkedHashMap<>();
    private List<Locale.LanguageRange> browser = new ArrayList<>();
    private List<Locale.LanguageRange> fallback = new ArrayList<>();

    /** Stand-in: the SP's entityID (the IdP takes it from the EntityDescriptor). */
    public RelyingPartyUIContext setRPEntityId(final String id) {
        entityId = id;
        return this;
    }

    /** Stand-in: an mdui:DisplayName of the SP's metadata. */
    public RelyingPartyUIContext addDisplayName(final String lang, final String name) {
        displayNames.put(Locale.forLanguageTag(lang), name);
        return this;
    }

    /** Stand-in: an mdui:Logo of the SP's metadata. */
    public RelyingPartyUIContext addLogo(final String lang, final String url) {
        logos.put(Locale.forLanguageTag(lang), url);
        return this;
    }

    /** The browser's languages, in preference order (the IdP takes them from Accept-Language). */
    public RelyingPartyUIContext setBrowserLanguageRanges(final List<Locale.LanguageRange> ranges) {
        browser = new ArrayList<>(ranges);
        return this;
    }

    public RelyingPartyUIContext setFallbackLanguages(final List<String> languages) {
        fallback = new ArrayList<>();
        for (final String l : languages) {
            fallback.add(new Locale.LanguageRange(l));
        }
        return this;
    }

    public String getServiceName() {
        Locale l = Locale.lookup(browser, displayNames.keySet());
        if (l == null) {
            l = Locale.lookup(fallback, displayNames.keySet());
        }
        if (l != null) {
            return displayNames.get(l);
        }
        if (entityId == null) {
            return null;
        }
        try {
            final URI u = new URI(entityId);
            if ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) {
                return u.getHost();
            }
        } catch (final URISyntaxException e) {
            // not a URI: the entityID itself, as the IdP does
        }
        return entityId;
    }

    public String getLogo() {
        Locale l = Locale.lookup(browser, logos.keySet());
        if (l == null) {
            l = Locale.lookup(fallback, logos.keySet());
        }
        return l == null ? null : logos.get(l);
    }
}
