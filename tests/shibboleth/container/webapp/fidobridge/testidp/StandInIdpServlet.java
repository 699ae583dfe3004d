package fidobridge.testidp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import javax.security.auth.Subject;
import javax.xml.parsers.DocumentBuilderFactory;

import org.opensaml.profile.context.ProfileRequestContext;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import net.shibboleth.idp.authn.AuthenticationFlowDescriptor;
import net.shibboleth.idp.authn.AuthenticationResult;
import net.shibboleth.idp.authn.ExternalAuthentication;
import net.shibboleth.idp.authn.context.AuthenticationContext;
import net.shibboleth.idp.authn.context.MultiFactorAuthenticationContext;
import net.shibboleth.idp.authn.context.RequestedPrincipalContext;
import net.shibboleth.idp.authn.principal.UsernamePrincipal;
import net.shibboleth.idp.profile.context.RelyingPartyContext;
import net.shibboleth.idp.saml.authn.principal.AuthnContextClassRefPrincipal;
import net.shibboleth.idp.ui.context.RelyingPartyUIContext;

/**
 * TEST STAND-IN for the IdP's dispatcher at /profile/* and /status. No SAML: a test login
 * starts at {@code /profile/test/SSO} and ends, when the External flow resumes, with a page
 * whose {@code <pre id="result">} is a JSON account of what the IdP would do with the shim's
 * result, decided the IdP's way with the files this repository ships:
 * <ul>
 * <li>an authnError becomes the event its ClassifiedMessageMap entry names
 *     (shibboleth-config/conf/authn/external-authn-config.xml; substring match; unlisted:
 *     AuthenticationException); no result at all: NoCredentials;</li>
 * <li>a Subject is merged with the earlier MFA step's result, and refused unless it holds
 *     exactly one username (the IdP's subject canonicalization);</li>
 * <li>the asserted context is the requested one when the SP asked, else the heaviest in
 *     shibboleth.AuthenticationPrincipalWeightMap (shibboleth-config/conf/authn/
 *     principal-weight-map.xml).</li>
 * </ul>
 * {@code /profile/RaiseError} is the IdP's error view, where web.xml sends an
 * ExternalAuthenticationException.
 *
 * <p>Begin parameters: rp (entityID), force=1, passive=1, first=USER (an earlier authn/Password
 * step identified USER), request=CLASSREF (repeatable: the SP's RequestedAuthnContext),
 * name_en / name_ja (the SP's mdui:DisplayName; the IdP reads the browser's Accept-Language).</p>
 */
public final class StandInIdpServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String PPT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    private static final String PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password";
    private static final AtomicInteger CONVERSATIONS = new AtomicInteger();

    private transient Map<String, List<String>> messageMap;
    private transient Map<String, Integer> weights;

    @Override
    public void init() throws ServletException {
        try {
            messageMap = messageMap(xml(System.getProperty("fido.test.messageMap")));
            weights = weights(xml(System.getProperty("fido.test.weightMap")));
        } catch (final Exception e) {
            throw new ServletException("stand-in IdP: cannot read the shipped configuration", e);
        }
    }

    @Override
    protected void doGet(final HttpServletRequest req, final HttpServletResponse resp) throws IOException {
        final String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        switch (path) {
            case "/status":
                resp.setContentType("text/plain;charset=UTF-8");
                resp.getWriter().println("ok");
                return;
            case "/profile/RaiseError":
                errorView(req, resp);
                return;
            case "/profile/test/SSO":
                if (req.getParameter("execution") == null) {
                    begin(req, resp);
                } else {
                    resume(req, resp);
                }
                return;
            default:
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    /** The SP's request arrives: the IdP runs the External flow (as an MFA step). */
    private void begin(final HttpServletRequest req, final HttpServletResponse resp) throws IOException {
        final String rp = req.getParameter("rp") != null ? req.getParameter("rp") : "https://sp.example.org/shibboleth";
        final ProfileRequestContext prc = new ProfileRequestContext();
        final AuthenticationContext ac = prc.addSubcontext(new AuthenticationContext())
                .setForceAuthn("1".equals(req.getParameter("force"))).setIsPassive("1".equals(req.getParameter("passive")))
                .setAttemptedFlow(new AuthenticationFlowDescriptor("authn/External"));
        prc.addSubcontext(new RelyingPartyContext()).setRelyingPartyId(rp);
        final String first = req.getParameter("first");
        if (first != null) {
            final Subject s = new Subject();
            s.getPrincipals().add(new UsernamePrincipal(first));
            s.getPrincipals().add(new AuthnContextClassRefPrincipal(PPT));
            s.getPrincipals().add(new AuthnContextClassRefPrincipal(PASSWORD));
            ac.addSubcontext(new MultiFactorAuthenticationContext()).getActiveResults()
                    .put("authn/Password", new AuthenticationResult("authn/Password", s));
        }
        final String[] requested = req.getParameterValues("request");
        if (requested != null) {
            final List<Principal> ps = new ArrayList<>();
            for (final String r : requested) {
                ps.add(new AuthnContextClassRefPrincipal(r));
            }
            ac.addSubcontext(new RequestedPrincipalContext().setRequestedPrincipals(ps));
        }
        final RelyingPartyUIContext ui = ac.addSubcontext(new RelyingPartyUIContext().setRPEntityId(rp));
        if (req.getParameter("name_en") != null) {
            ui.addDisplayName("en", req.getParameter("name_en"));
        }
        if (req.getParameter("name_ja") != null) {
            ui.addDisplayName("ja", req.getParameter("name_ja"));
        }
        final String al = req.getHeader("Accept-Language");
        if (al != null) {
            ui.setBrowserLanguageRanges(Locale.LanguageRange.parse(al));
        }
        ui.setFallbackLanguages(List.of("en"));

        final String key = "e" + CONVERSATIONS.incrementAndGet() + "s1";
        final HttpSession session = req.getSession(true);
        ExternalAuthentication.register(session, key, new ExternalAuthentication.Conversation(prc,
                req.getContextPath() + "/profile/test/SSO?execution=" + key + "&_eventId_proceed=1"));
        resp.sendRedirect(ExternalAuthentication.getExternalRedirect(req.getContextPath() + "/Authn/fido/start", key));
    }

    /** The External flow resumes (the shim called finishExternalAuthentication). */
    private void resume(final HttpServletRequest req, final HttpServletResponse resp) throws IOException {
        final String key = req.getParameter("execution");
        final HttpSession session = req.getSession(false);
        final ExternalAuthentication.Conversation c = ExternalAuthentication.conversation(session, key);
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("conversation", key);
        if (c == null || !c.finished()) {
            out.put("ok", false);
            out.put("event", c == null ? "NoConversation" : "NotFinished");
            page(resp, 400, "Not signed in", out);
            return;
        }
        ExternalAuthentication.forget(session, key);
        final ExternalAuthentication.FinishCall f = c.result();
        out.put("ok", false);
        if (f.results() != 1) {
            out.put("event", "InvalidResult");
            out.put("results", f.results());
        } else if (f.authnException != null) {
            out.put("event", "AuthenticationException");
            out.put("authnException", f.authnException.toString());
        } else if (f.authnError != null) {
            out.put("authnError", String.valueOf(f.authnError));
            out.put("event", classify(String.valueOf(f.authnError)));
        } else if (!(f.subject instanceof Subject)) {
            out.put("event", "NoCredentials");
        } else {
            success(c.prc, (Subject) f.subject, f.authnInstant, out);
        }
        page(resp, 200, Boolean.TRUE.equals(out.get("ok")) ? "Signed in" : "Not signed in", out);
    }

    private void success(final ProfileRequestContext prc, final Subject subject, final Object instant,
            final Map<String, Object> out) {
        final AuthenticationContext ac = prc.getSubcontext(AuthenticationContext.class);
        // the MFA flow's merge: every active result's principals in one Subject
        final Subject merged = new Subject();
        merged.getPrincipals().addAll(subject.getPrincipals());
        final MultiFactorAuthenticationContext mfa = ac.getSubcontext(MultiFactorAuthenticationContext.class);
        if (mfa != null) {
            for (final AuthenticationResult r : mfa.getActiveResults().values()) {
                merged.getPrincipals().addAll(r.getSubject().getPrincipals());
            }
        }
        final TreeSet<String> names = new TreeSet<>();
        for (final UsernamePrincipal u : merged.getPrincipals(UsernamePrincipal.class)) {
            names.add(u.getName());
        }
        final TreeSet<String> contexts = new TreeSet<>();
        for (final AuthnContextClassRefPrincipal p : merged.getPrincipals(AuthnContextClassRefPrincipal.class)) {
            contexts.add(p.getName());
        }
        out.put("usernames", new ArrayList<>(names));
        out.put("contexts", new ArrayList<>(contexts));
        if (!(instant instanceof Instant)) {
            out.put("event", "InvalidResult");
            out.put("why", "authnInstant is not a java.time.Instant");
            return;
        }
        out.put("authnInstant", ((Instant) instant).getEpochSecond());
        if (names.size() != 1) {
            out.put("event", "SubjectCanonicalizationError");
            out.put("why", "Multiple UsernamePrincipals were found");
            return;
        }
        out.put("principal", names.first());
        final RequestedPrincipalContext rpc = ac.getSubcontext(RequestedPrincipalContext.class);
        String asserted = null;
        if (rpc != null) {
            for (final Principal p : rpc.getRequestedPrincipals()) {
                if (contexts.contains(p.getName())) {
                    asserted = p.getName();
                    break;
                }
            }
            if (asserted == null) {
                out.put("event", "RequestUnsupported");
                return;
            }
        } else {
            int best = Integer.MIN_VALUE;
            for (final String cr : contexts) {
                final int w = weights.getOrDefault(cr, 0);
                if (w > best) {
                    best = w;
                    asserted = cr;
                }
            }
        }
        out.put("asserted", asserted);
        out.put("event", "proceed");
        out.put("ok", true);
    }

    /** The IdP's error view: where web.xml's error-page sends an ExternalAuthenticationException. */
    private static void errorView(final HttpServletRequest req, final HttpServletResponse resp) throws IOException {
        Object e = req.getAttribute("jakarta.servlet.error.exception");
        if (e == null) {
            e = req.getAttribute("javax.servlet.error.exception");
        }
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", false);
        out.put("view", "error");
        out.put("exception", e == null ? null : e.getClass().getName());
        out.put("message", e instanceof Throwable ? ((Throwable) e).getMessage() : null);
        page(resp, resp.getStatus() >= 400 ? resp.getStatus() : 500, "The IdP's error view", out);
    }

    private String classify(final String error) {
        for (final Map.Entry<String, List<String>> e : messageMap.entrySet()) {
            for (final String v : e.getValue()) {
                if (error.contains(v)) {
                    return e.getKey();
                }
            }
        }
        return "AuthenticationException";
    }

    // ---- the shipped configuration -----------------------------------------------------------

    private static Document xml(final String path) throws Exception {
        final DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = Files.newInputStream(Paths.get(path))) {
            return f.newDocumentBuilder().parse(in);
        }
    }

    private static Element map(final Document d, final String id) {
        final NodeList maps = d.getElementsByTagNameNS("http://www.springframework.org/schema/util", "map");
        for (int i = 0; i < maps.getLength(); i++) {
            if (id.equals(((Element) maps.item(i)).getAttribute("id"))) {
                return (Element) maps.item(i);
            }
        }
        throw new IllegalStateException("no util:map " + id);
    }

    private static Map<String, List<String>> messageMap(final Document d) {
        final Map<String, List<String>> out = new LinkedHashMap<>();
        for (Node n = map(d, "shibboleth.authn.External.ClassifiedMessageMap").getFirstChild(); n != null;
                n = n.getNextSibling()) {
            if (n instanceof Element && "entry".equals(n.getLocalName())) {
                final List<String> values = new ArrayList<>();
                final NodeList vs = ((Element) n).getElementsByTagNameNS("*", "value");
                for (int j = 0; j < vs.getLength(); j++) {
                    values.add(vs.item(j).getTextContent().trim());
                }
                out.put(((Element) n).getAttribute("key"), values);
            }
        }
        return out;
    }

    private static Map<String, Integer> weights(final Document d) {
        final Map<String, Integer> out = new LinkedHashMap<>();
        final NodeList entries = map(d, "shibboleth.AuthenticationPrincipalWeightMap").getElementsByTagNameNS("*", "entry");
        for (int i = 0; i < entries.getLength(); i++) {
            final Element e = (Element) entries.item(i);
            final Element bean = (Element) e.getElementsByTagNameNS("*", "bean").item(0);
            out.put(bean.getAttributeNS("http://www.springframework.org/schema/c", "classRef"),
                    Integer.parseInt(e.getElementsByTagNameNS("*", "value").item(0).getTextContent().trim()));
        }
        return out;
    }

    // ---- output ---------------------------------------------------------------------------------

    private static void page(final HttpServletResponse resp, final int status, final String title,
            final Map<String, Object> json) throws IOException {
        resp.setStatus(status);
        resp.setContentType("text/html;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.getWriter().print("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title
                + "</title></head><body><h1>" + title + "</h1>\n<pre id=\"result\">" + html(json(json))
                + "</pre>\n</body></html>\n");
    }

    private static String html(final String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @SuppressWarnings("unchecked")
    private static String json(final Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof Boolean || o instanceof Number) {
            return o.toString();
        }
        if (o instanceof Map) {
            final StringBuilder b = new StringBuilder("{");
            for (final Map.Entry<String, Object> e : ((Map<String, Object>) o).entrySet()) {
                b.append(b.length() > 1 ? "," : "").append(json(e.getKey())).append(':').append(json(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (o instanceof List) {
            final StringBuilder b = new StringBuilder("[");
            for (final Object x : (List<Object>) o) {
                b.append(b.length() > 1 ? "," : "").append(json(x));
            }
            return b.append(']').toString();
        }
        final StringBuilder b = new StringBuilder("\"");
        for (final char c : o.toString().toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
