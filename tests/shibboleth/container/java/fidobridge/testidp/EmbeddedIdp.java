package fidobridge.testidp;

import java.io.File;

import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.session.StandardManager;
import org.apache.catalina.startup.Constants;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * An embedded Tomcat (10.1 for the jakarta build, 9 for javax; the same source) serving one
 * web application at /idp from a directory laid out like the IdP's war: WEB-INF/web.xml as the
 * IdP ships it, WEB-INF/lib with the shim's jar (whose web-fragment.xml registers it), the
 * stand-in IdP's jar (whose ServletContainerInitializer plays the IdP's) and SLF4J.
 *
 * <p>Nothing here configures the web application: web.xml, fragments and initializers are
 * processed by Tomcat's own ContextConfig, as in a Tomcat installation, without Tomcat's
 * default web.xml (no JSP servlet, no default servlet: the IdP maps what it serves).</p>
 *
 * <p>Usage: EmbeddedIdp PORT WEBAPP_DIR WORK_DIR. Prints "embedded-idp: ready" when it
 * answers; stops when killed.</p>
 */
public final class EmbeddedIdp {

    private EmbeddedIdp() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: EmbeddedIdp PORT WEBAPP_DIR WORK_DIR");
            System.exit(2);
        }
        final int port = Integer.parseInt(args[0]);
        final Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(args[2]);
        tomcat.setHostname("localhost");
        final Connector http = new Connector("HTTP/1.1");
        http.setPort(port);
        http.setProperty("address", "127.0.0.1");
        tomcat.getService().addConnector(http);
        tomcat.setConnector(http);

        final StandardContext ctx = new StandardContext();
        ctx.setName("/idp");
        ctx.setPath("/idp");
        ctx.setDocBase(new File(args[1]).getAbsolutePath());
        final ContextConfig config = new ContextConfig();
        config.setDefaultWebXml(Constants.NoDefaultWebXml);
        ctx.addLifecycleListener(config);
        ctx.setParentClassLoader(EmbeddedIdp.class.getClassLoader());
        // WEB-INF/lib only: the container's own jars carry no fragments or initializers
        final StandardJarScanner scanner = new StandardJarScanner();
        scanner.setScanClassPath(false);
        ctx.setJarScanner(scanner);
        final StandardManager sessions = new StandardManager();
        sessions.setPathname(null); // no session files across restarts
        ctx.setManager(sessions);
        tomcat.getHost().addChild(ctx);
        tomcat.start();
        final Context started = (Context) tomcat.getHost().findChild("/idp");
        if (started == null || !started.getState().isAvailable()) {
            System.err.println("embedded-idp: the web application did not start");
            System.exit(1);
        }
        System.out.println("embedded-idp: ready on 127.0.0.1:" + port + " (" + org.apache.catalina.util.ServerInfo.getServerInfo() + ")");
        tomcat.getServer().await();
    }
}
