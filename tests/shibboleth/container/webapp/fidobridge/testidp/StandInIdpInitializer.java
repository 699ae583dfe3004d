package fidobridge.testidp;

import java.util.Set;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import net.shibboleth.idp.authn.ExternalAuthentication;

/**
 * TEST STAND-IN for the IdP v5's own ServletContainerInitializer: honours the context
 * parameters of its web.xml the way the IdP does (net.shibboleth.idp.registerIdPServlet maps
 * the IdP's dispatcher at /status and /profile/*), so the IdP's web.xml is used unmodified,
 * and puts the stand-in's FlowExecutor where the IdP's ExternalAuthentication looks for it.
 */
public final class StandInIdpInitializer implements ServletContainerInitializer {

    @Override
    public void onStartup(final Set<Class<?>> classes, final ServletContext ctx) {
        if ("true".equalsIgnoreCase(ctx.getInitParameter("net.shibboleth.idp.registerIdPServlet"))) {
            final ServletRegistration.Dynamic idp = ctx.addServlet("idp", StandInIdpServlet.class);
            idp.addMapping("/status", "/profile/*");
            idp.setLoadOnStartup(1);
        }
        ctx.setAttribute(ExternalAuthentication.SWF_KEY, new ExternalAuthentication.FlowExecutor());
    }
}
