package fidobridge.idp;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import net.shibboleth.idp.authn.ExternalAuthentication;

/**
 * Just enough of a servlet container for the shim: requests, responses and sessions are
 * dynamic proxies over plain maps. Any servlet API method the shim calls that is not
 * modelled here fails the test loudly (UnsupportedOperationException).
 */
final class FakeHttp {

    private FakeHttp() {
    }

    /** The IdP web application: its FlowExecutor is where the IdP puts it. */
    static final Map<String, Object> CONTEXT_ATTRS = Collections.synchronizedMap(new LinkedHashMap<>(
            Map.of(ExternalAuthentication.SWF_KEY, new ExternalAuthentication.FlowExecutor())));

    static ServletContext servletContext() {
        return (ServletContext) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (p, m, a) -> {
                    switch (m.getName()) {
                        case "getAttribute":
                            return CONTEXT_ATTRS.get((String) a[0]);
                        case "hashCode":
                            return System.identityHashCode(p);
                        case "equals":
                            return p == a[0];
                        case "toString":
                            return "FakeServletContext";
                        default:
                            throw new UnsupportedOperationException("ServletContext." + m.getName());
                    }
                });
    }

    /** A browser's session with the IdP node. */
    static final class Session {
        final Map<String, Object> attrs = Collections.synchronizedMap(new LinkedHashMap<>());
        boolean exists;
        int timeoutSeconds = 15 * 60;

        HttpSession proxy() {
            return (HttpSession) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                    new Class<?>[] {HttpSession.class}, (p, m, a) -> {
                        switch (m.getName()) {
                            case "getAttribute":
                                return attrs.get((String) a[0]);
                            case "setAttribute":
                                if (a[1] == null) {
                                    attrs.remove((String) a[0]);
                                } else {
                                    attrs.put((String) a[0], a[1]);
                                }
                                return null;
                            case "removeAttribute":
                                attrs.remove((String) a[0]);
                                return null;
                            case "getAttributeNames":
                                synchronized (attrs) {
                                    return Collections.enumeration(new ArrayList<>(attrs.keySet()));
                                }
                            case "getMaxInactiveInterval":
                                return timeoutSeconds;
                            case "hashCode":
                                return System.identityHashCode(p);
                            case "equals":
                                return p == a[0];
                            case "toString":
                                return "FakeSession";
                            default:
                                throw new UnsupportedOperationException("HttpSession." + m.getName());
                        }
                    });
        }
    }

    /** What the servlet answered. */
    static final class Response {
        int status = 200;
        String location;
        final Map<String, String> headers = new LinkedHashMap<>();
        StringWriter body = new StringWriter();
        boolean committed;
        String contentType;

        /** The query parameters of the redirect location, decoded. */
        Map<String, List<String>> locationParams() {
            final Map<String, List<String>> out = new LinkedHashMap<>();
            final int q = location.indexOf('?');
            if (q < 0) {
                return out;
            }
            for (final String pair : location.substring(q + 1).split("&")) {
                final int eq = pair.indexOf('=');
                final String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                final String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
            return out;
        }

        String param(final String name) {
            final List<String> v = locationParams().get(name);
            return v == null ? null : v.get(0);
        }
    }

    /** One GET request. */
    static final class Request {
        String method = "GET";
        final String pathInfo;
        final Map<String, List<String>> params = new LinkedHashMap<>();
        final Map<String, Object> attrs = new LinkedHashMap<>();
        final Session session;

        Request(final String pathInfo, final Session session) {
            this.pathInfo = pathInfo;
            this.session = session;
        }

        Request param(final String k, final String v) {
            params.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            return this;
        }

        HttpServletRequest proxy() {
            final InvocationHandler h = (p, m, a) -> {
                switch (m.getName()) {
                    case "getMethod":
                        return method;
                    case "getProtocol":
                        return "HTTP/1.1";
                    case "getPathInfo":
                        return pathInfo;
                    case "getRequestURI":
                        return "/idp/Authn/fido" + pathInfo;
                    case "getParameter": {
                        final List<String> v = params.get((String) a[0]);
                        return v == null ? null : v.get(0);
                    }
                    case "getParameterValues": {
                        final List<String> v = params.get((String) a[0]);
                        return v == null ? null : v.toArray(new String[0]);
                    }
                    case "getAttribute":
                        return attrs.get((String) a[0]);
                    case "setAttribute":
                        if (a[1] == null) {
                            attrs.remove((String) a[0]);
                        } else {
                            attrs.put((String) a[0], a[1]);
                        }
                        return null;
                    case "removeAttribute":
                        attrs.remove((String) a[0]);
                        return null;
                    case "getSession": {
                        final boolean create = a == null || a.length == 0 || (Boolean) a[0];
                        if (session == null) {
                            if (create) {
                                throw new UnsupportedOperationException("test without a session object");
                            }
                            return null;
                        }
                        if (!session.exists && !create) {
                            return null;
                        }
                        session.exists = true;
                        return session.proxy();
                    }
                    case "getServletContext":
                        return servletContext();
                    case "getDateHeader":
                        return -1L;
                    case "getHeader":
                        return null;
                    case "hashCode":
                        return System.identityHashCode(p);
                    case "equals":
                        return p == a[0];
                    case "toString":
                        return "FakeRequest" + pathInfo;
                    default:
                        throw new UnsupportedOperationException("HttpServletRequest." + m.getName());
                }
            };
            return (HttpServletRequest) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                    new Class<?>[] {HttpServletRequest.class}, h);
        }
    }

    static HttpServletResponse response(final Response r) {
        final InvocationHandler h = (p, m, a) -> {
            switch (m.getName()) {
                case "sendRedirect":
                    if (r.committed) {
                        throw new IllegalStateException("response already committed");
                    }
                    r.status = 302;
                    r.location = (String) a[0];
                    r.committed = true;
                    return null;
                case "setHeader":
                case "addHeader":
                    r.headers.put((String) a[0], (String) a[1]);
                    return null;
                case "containsHeader":
                    return r.headers.containsKey((String) a[0]);
                case "setStatus":
                    r.status = (Integer) a[0];
                    return null;
                case "sendError":
                    r.status = (Integer) a[0];
                    r.committed = true;
                    return null;
                case "setContentType":
                    r.contentType = (String) a[0];
                    return null;
                case "setCharacterEncoding":
                    return null;
                case "getWriter":
                    return new PrintWriter(r.body) {
                        @Override
                        public void flush() {
                            super.flush();
                            r.committed = true;
                        }
                    };
                case "isCommitted":
                    return r.committed;
                case "reset":
                    if (r.committed) {
                        throw new IllegalStateException("response already committed");
                    }
                    r.headers.clear();
                    r.status = 200;
                    r.body = new StringWriter();
                    return null;
                case "hashCode":
                    return System.identityHashCode(p);
                case "equals":
                    return p == a[0];
                case "toString":
                    return "FakeResponse";
                default:
                    throw new UnsupportedOperationException("HttpServletResponse." + m.getName());
            }
        };
        return (HttpServletResponse) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, h);
    }

    /** A ServletConfig with init parameters, for init(). */
    static ServletConfig config(final Map<String, String> init, final Map<String, String> contextInit,
            final List<String> log) {
        final ServletContext ctx = (ServletContext) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                new Class<?>[] {ServletContext.class}, (p, m, a) -> {
                    switch (m.getName()) {
                        case "getInitParameter":
                            return contextInit.get((String) a[0]);
                        case "log":
                            log.add(String.valueOf(a[0]));
                            return null;
                        case "getServletContextName":
                            return "idp";
                        default:
                            throw new UnsupportedOperationException("ServletContext." + m.getName());
                    }
                });
        return (ServletConfig) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                new Class<?>[] {ServletConfig.class}, (p, m, a) -> {
                    switch (m.getName()) {
                        case "getInitParameter":
                            return init.get((String) a[0]);
                        case "getServletContext":
                            return ctx;
                        case "getServletName":
                            return "FidoBridgeShim";
                        case "getInitParameterNames":
                            return Collections.enumeration(init.keySet());
                        default:
                            throw new UnsupportedOperationException("ServletConfig." + m.getName());
                    }
                });
    }
}
