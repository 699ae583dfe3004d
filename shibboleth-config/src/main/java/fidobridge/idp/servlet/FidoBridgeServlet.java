package fidobridge.idp.servlet;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import org.slf4j.LoggerFactory;

import fidobridge.idp.ConfigSource;
import fidobridge.idp.IdpContexts;
import fidobridge.idp.LoginContext;
import fidobridge.idp.ShimLogic;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import net.shibboleth.idp.authn.ExternalAuthentication;
import net.shibboleth.idp.authn.ExternalAuthenticationException;

/**
 * The IdP-side shim of the FIDO login bridge, mapped to {@code /Authn/fido/*} in the IdP web
 * application:
 * <ul>
 * <li>{@code /Authn/fido/start}: the External flow's {@code externalAuthnPath}
 *     ({@code contextRelative:Authn/fido/start});</li>
 * <li>{@code /Authn/fido/finish}: the {@code return} URL the bridge sends the browser back to.</li>
 * </ul>
 *
 * <p>This class only adapts the servlet API; the protocol is in {@link ShimLogic}. The source
 * is written for IdP v5 ({@code jakarta.servlet}); {@code build.sh --v4} derives the IdP v4
 * variant by replacing {@code jakarta.servlet} with {@code javax.servlet}. The jar registers
 * it itself ({@code META-INF/web-fragment.xml}); the IdP's web.xml stays as shipped.</p>
 *
 * <p>A request with no login to return to ends in an {@link ExternalAuthenticationException}
 * thrown to the container (wrapped in a ServletException, as the IdP's own servlets do): the
 * IdP's web.xml maps it to its error view, {@code /profile/RaiseError}.</p>
 *
 * <p>Init parameters (all optional): {@code configFile} (default
 * {@code <idp.home>/conf/authn/fido-bridge.properties}) and {@code idp.home} (default: the
 * servlet context parameter or system property {@code idp.home}, else
 * {@code /opt/shibboleth-idp}).</p>
 */
public class FidoBridgeServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** The IdP's ExternalAuthentication API over this servlet's requests. */
    private static final ShimLogic.Idp IDP = new ShimLogic.Idp() {
        @Override
        public String start(final ShimLogic.Exchange ex) throws ExternalAuthenticationException {
            return ExternalAuthentication.startExternalAuthentication(((Http) ex).req);
        }

        @Override
        public LoginContext context(final String key, final ShimLogic.Exchange ex)
                throws ExternalAuthenticationException {
            return IdpContexts.read(ExternalAuthentication.getProfileRequestContext(key, ((Http) ex).req));
        }

        @Override
        public void finish(final String key, final ShimLogic.Exchange ex)
                throws ExternalAuthenticationException, IOException {
            final Http h = (Http) ex;
            ExternalAuthentication.finishExternalAuthentication(key, h.req, h.resp);
        }
    };

    private transient ShimLogic logic;

    @Override
    public void init() throws ServletException {
        final Path home = Paths.get(idpHome());
        final String cf = getInitParameter("configFile");
        final Path file = cf != null && !cf.trim().isEmpty()
                ? Paths.get(cf.trim().replace("%{idp.home}", home.toString()))
                : home.resolve("conf/authn/fido-bridge.properties");
        final ConfigSource source = new ConfigSource(file, home);
        logic = new ShimLogic(source::get, ShimLogic.MEMCACHED, Clock.systemUTC(), new SecureRandom());
        LoggerFactory.getLogger("fidobridge.idp.shim").info("fido-bridge shim ready; configuration {}", file);
    }

    private String idpHome() {
        String h = getInitParameter("idp.home");
        if (h == null || h.trim().isEmpty()) {
            h = getServletContext().getInitParameter("idp.home");
        }
        if (h == null || h.trim().isEmpty()) {
            h = System.getProperty("idp.home");
        }
        return h == null || h.trim().isEmpty() ? "/opt/shibboleth-idp" : h.trim();
    }

    /** For tests and embedding: replaces the logic built by {@link #init()}. */
    public void setLogic(final ShimLogic l) {
        logic = l;
    }

    @Override
    protected void doGet(final HttpServletRequest req, final HttpServletResponse resp)
            throws ServletException, IOException {
        final String path = req.getPathInfo();
        final Http ex = new Http(req, resp);
        try {
            if ("/start".equals(path)) {
                logic.start(ex, IDP);
            } else if ("/finish".equals(path)) {
                logic.finish(ex, IDP);
            } else {
                ex.fail(HttpServletResponse.SC_NOT_FOUND, "Not found.");
            }
        } catch (final ExternalAuthenticationException e) {
            // no login to return to: the IdP's error view (web.xml error-page for this type)
            throw new ServletException("Error processing external authentication request", e);
        }
    }

    /**
     * HEAD would run the whole GET (a start, or the one-time redemption of a ticket) with
     * the body thrown away; link scanners and prefetchers send it. Refused.
     */
    @Override
    protected void doHead(final HttpServletRequest req, final HttpServletResponse resp)
            throws ServletException, IOException {
        resp.setHeader("Allow", "GET");
        new Http(req, resp).fail(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "Method not allowed.");
    }

    /** One request as {@link ShimLogic} sees it. */
    static final class Http implements ShimLogic.Exchange {
        final HttpServletRequest req;
        final HttpServletResponse resp;

        Http(final HttpServletRequest req, final HttpServletResponse resp) {
            this.req = req;
            this.resp = resp;
        }

        @Override
        public List<String> parameter(final String name) {
            final String[] v = req.getParameterValues(name);
            return v == null ? Collections.<String>emptyList() : Arrays.asList(v);
        }

        @Override
        public Object attribute(final String name) {
            return req.getAttribute(name);
        }

        @Override
        public void setAttribute(final String name, final Object value) {
            req.setAttribute(name, value);
        }

        @Override
        public Object sessionAttribute(final String name) {
            final HttpSession s = req.getSession(false);
            return s == null ? null : s.getAttribute(name);
        }

        @Override
        public void setSessionAttribute(final String name, final Object value) {
            req.getSession(true).setAttribute(name, value);
        }

        @Override
        public void removeSessionAttribute(final String name) {
            final HttpSession s = req.getSession(false);
            if (s != null) {
                s.removeAttribute(name);
            }
        }

        @Override
        public List<String> sessionAttributeNames() {
            final HttpSession s = req.getSession(false);
            if (s == null) {
                return Collections.emptyList();
            }
            final List<String> names = new ArrayList<>();
            final Enumeration<String> e = s.getAttributeNames();
            while (e.hasMoreElements()) {
                names.add(e.nextElement());
            }
            return names;
        }

        @Override
        public int sessionTimeoutSeconds() {
            final HttpSession s = req.getSession(false);
            return s == null ? 0 : s.getMaxInactiveInterval();
        }

        @Override
        public void redirect(final String url) throws IOException {
            noStore();
            resp.sendRedirect(url);
        }

        /** A plain page, for what is not a login at all (unknown path, HEAD). */
        void fail(final int status, final String message) throws IOException {
            if (resp.isCommitted()) {
                return;
            }
            resp.reset();
            noStore();
            resp.setStatus(status);
            resp.setContentType("text/plain;charset=UTF-8");
            final PrintWriter w = resp.getWriter();
            w.println(message);
            w.flush();
        }

        private void noStore() {
            resp.setHeader("Cache-Control", "no-store");
            resp.setHeader("Pragma", "no-cache");
            resp.setHeader("Referrer-Policy", "no-referrer");
        }
    }
}
