package fidobridge.idp;

import static fidobridge.idp.T.check;
import static fidobridge.idp.T.eq;
import static fidobridge.idp.T.test;

import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The shipped configuration files agree with the code and with each other. */
final class ConfigFileTests {

    static final String BEANS = "http://www.springframework.org/schema/beans";
    static final String UTIL = "http://www.springframework.org/schema/util";

    private ConfigFileTests() {
    }

    static Document xml(final Path p) throws Exception {
        final DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = Files.newInputStream(p)) {
            return f.newDocumentBuilder().parse(in);
        }
    }

    static Properties props(final Path p) throws Exception {
        final Properties pr = new Properties();
        try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            pr.load(r);
        }
        return pr;
    }

    /** event id -> message substrings, from a util:map ClassifiedMessageMap. */
    static Map<String, List<String>> classifiedMessages(final Document d, final String id) {
        final NodeList maps = d.getElementsByTagNameNS(UTIL, "map");
        for (int i = 0; i < maps.getLength(); i++) {
            final Element m = (Element) maps.item(i);
            if (!id.equals(m.getAttribute("id"))) {
                continue;
            }
            final Map<String, List<String>> out = new LinkedHashMap<>();
            for (Node n = m.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element && "entry".equals(n.getLocalName())) {
                    final Element e = (Element) n;
                    final List<String> values = new ArrayList<>();
                    final NodeList vs = e.getElementsByTagNameNS(BEANS, "value");
                    for (int j = 0; j < vs.getLength(); j++) {
                        values.add(vs.item(j).getTextContent().trim());
                    }
                    out.put(e.getAttribute("key"), values);
                }
            }
            return out;
        }
        throw new AssertionError("no util:map " + id);
    }

    static void run(final Path repo, final Path work) {
        T.suite("shipped configuration");
        final Path conf = repo.resolve("shibboleth-config/conf");

        test("ClassifiedMessageMap sends every shim error to exactly the intended IdP event", () -> {
            final Map<String, List<String>> map = classifiedMessages(
                    xml(conf.resolve("authn/external-authn-config.xml")), "shibboleth.authn.External.ClassifiedMessageMap");
            final Map<HandoffError, String> expected = new LinkedHashMap<>();
            for (final HandoffError e : HandoffError.values()) {
                expected.put(e, "AuthenticationException");
            }
            expected.put(HandoffError.NO_PASSIVE, "NoPassive");
            expected.put(HandoffError.NO_CREDENTIALS, "ReselectFlow");
            expected.put(HandoffError.UNSUPPORTED_CONTEXT, "ReselectFlow");
            expected.put(HandoffError.ACCOUNT_DISABLED, "AccountLocked");
            for (final Map.Entry<HandoffError, String> x : expected.entrySet()) {
                // the IdP's matching: the error text contains one of the listed strings
                final List<String> events = new ArrayList<>();
                for (final Map.Entry<String, List<String>> ev : map.entrySet()) {
                    for (final String v : ev.getValue()) {
                        if (x.getKey().authnError().contains(v)) {
                            events.add(ev.getKey());
                            break;
                        }
                    }
                }
                eq(List.of(x.getValue()), events, "events for authnError " + x.getKey().authnError());
            }
        });

        test("authn.properties fragment: path, passive, forced, principals, no default principals", () -> {
            final Properties p = props(conf.resolve("authn/authn.properties"));
            eq("contextRelative:Authn/fido/start", p.getProperty("idp.authn.External.externalAuthnPath"), "path");
            eq("true", p.getProperty("idp.authn.External.passiveAuthenticationSupported"), "passive");
            eq("true", p.getProperty("idp.authn.External.forcedAuthenticationSupported"), "forced");
            eq("false", p.getProperty("idp.authn.External.addDefaultPrincipals"), "addDefaultPrincipals");
            eq("saml2/urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport, saml2/https://refeds.org/profile/mfa",
                    p.getProperty("idp.authn.External.supportedPrincipals"), "supportedPrincipals");
            final Properties m = props(conf.resolve("authn/authn-mfa.properties"));
            eq("MFA", m.getProperty("idp.authn.flows"), "MFA flows");
            eq("false", m.getProperty("idp.authn.MFA.addDefaultPrincipals"), "MFA addDefaultPrincipals");
        });

        test("MFA flow keeps the IdP's default contexts (Password, SAML 1) and adds REFEDS MFA", () -> {
            final Properties m = props(conf.resolve("authn/authn-mfa.properties"));
            final List<String> got = List.of(m.getProperty("idp.authn.MFA.supportedPrincipals").split("\\s*,\\s*"));
            for (final String want : new String[] {
                "saml2/urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                "saml2/urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
                "saml1/urn:oasis:names:tc:SAML:1.0:am:password",
                "saml2/https://refeds.org/profile/mfa"}) {
                check(got.contains(want), "MFA supportedPrincipals has " + want + ": " + got);
            }
        });

        test("weight map: with no context requested, a passkey MFA result is asserted as REFEDS MFA", () -> {
            final Map<String, Integer> w = weights(xml(conf.resolve("authn/principal-weight-map.xml")));
            final String ppt = ShimConfig.PPT;
            final String mfa = ShimConfig.REFEDS_MFA;
            // what the IdP puts into the assertion: the result's context with the highest weight
            eq(mfa, heaviest(w, List.of(ppt, mfa)), "passkey that earned MFA (shim's Subject)");
            eq(mfa, heaviest(w, List.of(ppt, "urn:oasis:names:tc:SAML:2.0:ac:classes:Password", mfa)),
                    "password + passkey (merged MFA result)");
            eq(ppt, heaviest(w, List.of(ppt)), "synced passkey");
            eq(ppt, heaviest(w, List.of("urn:oasis:names:tc:SAML:2.0:ac:classes:Password", ppt)),
                    "password fallback: PasswordProtectedTransport as before");
        });

        test("web fragment maps the servlet class to /Authn/fido/*, matching externalAuthnPath", () -> {
            final Document d = xml(repo.resolve("shibboleth-config/webapp/web-fragment.xml"));
            eq("web-fragment", d.getDocumentElement().getLocalName(), "root");
            eq("https://jakarta.ee/xml/ns/jakartaee", d.getDocumentElement().getNamespaceURI(), "IdP v5 namespace");
            final String cls = d.getElementsByTagNameNS("*", "servlet-class").item(0).getTextContent().trim();
            eq("fidobridge.idp.servlet.FidoBridgeServlet", cls, "servlet-class");
            Class.forName(cls);
            eq("/Authn/fido/*", d.getElementsByTagNameNS("*", "url-pattern").item(0).getTextContent().trim(),
                    "url-pattern");
            final String path = props(conf.resolve("authn/authn.properties"))
                    .getProperty("idp.authn.External.externalAuthnPath");
            check(("contextRelative:" + "Authn/fido/start").equals(path), "externalAuthnPath under the mapping");
        });

        test("lifetimes line up: bridge flow_ttl <= stateLifetime <= the IdP v5 session timeout", () -> {
            final java.time.Duration session = java.time.Duration.ofMinutes(Long.parseLong(
                    xml(repo.resolve("tests/shibboleth/fixtures/web.xml")).getElementsByTagNameNS("*", "session-timeout")
                            .item(0).getTextContent().trim()));
            final Map<String, Map<String, String>> ini = ini(repo.resolve("docker/bridge/bridge.conf"));
            final java.time.Duration flow = duration(ini.get("idp").getOrDefault("flow_ttl", "15m"));
            for (final Path f : new Path[] {conf.resolve("authn/fido-bridge.properties"),
                repo.resolve("docker/idp/fido-bridge.properties")}) {
                final java.time.Duration life = java.time.Duration.parse(
                        props(f).getProperty("fido.bridge.stateLifetime", ShimConfig.DEFAULT_STATE_LIFETIME).trim());
                check(life.compareTo(session) <= 0, f + ": stateLifetime " + life + " > session timeout " + session);
                check(life.compareTo(flow) >= 0, f + ": stateLifetime " + life + " < bridge flow_ttl " + flow);
            }
        });

        test("mfa-authn-config.xml: passkey first, ReselectFlow falls back to the password flow", () -> {
            final Document d = xml(conf.resolve("authn/mfa-authn-config.xml"));
            final NodeList maps = d.getElementsByTagNameNS(UTIL, "map");
            final List<String> ids = new ArrayList<>();
            for (int i = 0; i < maps.getLength(); i++) {
                ids.add(((Element) maps.item(i)).getAttribute("id"));
            }
            check(ids.contains("shibboleth.authn.MFA.TransitionMap"), "active map: " + ids);
            check(ids.contains("fido.authn.MFA.PasswordThenPasskey.TransitionMap"), "second-factor map: " + ids);
            final String text = new String(Files.readAllBytes(conf.resolve("authn/mfa-authn-config.xml")),
                    StandardCharsets.UTF_8);
            check(text.contains("<entry key=\"ReselectFlow\" value=\"authn/Password\" />"), "fallback entry");
        });

        test("the example fido-bridge.properties loads", () -> {
            final Path home = work.resolve("example-home");
            Files.createDirectories(home.resolve("conf/authn"));
            Files.createDirectories(home.resolve("credentials"));
            Files.write(home.resolve("credentials/fido-bridge.secret"),
                    (HandoffTests.SECRET + "\n").getBytes(StandardCharsets.UTF_8));
            Files.copy(conf.resolve("authn/fido-bridge.properties"), home.resolve("conf/authn/fido-bridge.properties"));
            final ShimConfig c = ShimConfig.load(home.resolve("conf/authn/fido-bridge.properties"), home);
            eq("https://login.example.edu/authn/start", c.startEndpoint, "start endpoint");
            eq("fidobridge:ticket:abc", c.ticketKey("abc"), "key");
            eq(2, c.servers.size(), "servers");
            eq(ShimConfig.PPT, c.baseContextClass, "base class");
            eq(ShimConfig.REFEDS_MFA, c.mfaContextClass, "mfa class");
        });

        test("testbed: IdP shim and bridge agree (return URL, memcached, prefix, secret file)", () -> {
            final Properties shim = props(repo.resolve("docker/idp/fido-bridge.properties"));
            final Map<String, Map<String, String>> ini = ini(repo.resolve("docker/bridge/bridge.conf"));
            final String ret = shim.getProperty("fido.bridge.returnUrl").trim();
            boolean allowed = false;
            for (final String prefix : ini.get("idp").get("return_urls").split(",")) {
                allowed |= ret.startsWith(prefix.trim());
            }
            check(allowed, "shim return URL " + ret + " is allowed by the bridge");
            eq(ini.get("server").get("public_url"), shim.getProperty("fido.bridge.url").trim(), "bridge URL");
            eq(norm(ini.get("memcached").get("servers")), norm(shim.getProperty("fido.memcached.servers")),
                    "memcached servers");
            eq(ini.get("memcached").getOrDefault("prefix", "fidobridge:"),
                    shim.getProperty("fido.memcached.prefix", "fidobridge:").trim(), "prefix");
            eq(ini.get("idp").get("secret_file"), shim.getProperty("fido.bridge.secretFile").trim(),
                    "same secret file (shared volume)");
        });
    }

    /** classRef -> weight, from a util:map shibboleth.AuthenticationPrincipalWeightMap. */
    static Map<String, Integer> weights(final Document d) {
        final NodeList maps = d.getElementsByTagNameNS(UTIL, "map");
        for (int i = 0; i < maps.getLength(); i++) {
            final Element m = (Element) maps.item(i);
            if (!"shibboleth.AuthenticationPrincipalWeightMap".equals(m.getAttribute("id"))) {
                continue;
            }
            final Map<String, Integer> out = new LinkedHashMap<>();
            final NodeList entries = m.getElementsByTagNameNS(BEANS, "entry");
            for (int j = 0; j < entries.getLength(); j++) {
                final Element e = (Element) entries.item(j);
                final Element bean = (Element) e.getElementsByTagNameNS(BEANS, "bean").item(0);
                eq("shibboleth.SAML2AuthnContextClassRef", bean.getAttribute("parent"), "key bean");
                out.put(bean.getAttributeNS("http://www.springframework.org/schema/c", "classRef"),
                        Integer.parseInt(e.getElementsByTagNameNS(BEANS, "value").item(0).getTextContent().trim()));
            }
            return out;
        }
        throw new AssertionError("no shibboleth.AuthenticationPrincipalWeightMap");
    }

    /** The class the IdP would assert: highest weight, unlisted ones 0. */
    static String heaviest(final Map<String, Integer> w, final List<String> classes) {
        String best = null;
        int bestW = Integer.MIN_VALUE;
        for (final String c : classes) {
            final int x = w.getOrDefault(c, 0);
            if (x > bestW) {
                best = c;
                bestW = x;
            } else if (x == bestW) {
                best = null; // a tie: the IdP's choice would be arbitrary
            }
        }
        check(best != null, "the weights decide among " + classes);
        return best;
    }

    /** A bridge.conf duration: 90s, 15m, 1h. */
    static java.time.Duration duration(final String v) {
        final long n = Long.parseLong(v.substring(0, v.length() - 1));
        switch (v.charAt(v.length() - 1)) {
            case 's':
                return java.time.Duration.ofSeconds(n);
            case 'm':
                return java.time.Duration.ofMinutes(n);
            case 'h':
                return java.time.Duration.ofHours(n);
            default:
                throw new AssertionError("duration " + v);
        }
    }

    static String norm(final String s) {
        return String.join(",", s.trim().split("\\s*,\\s*"));
    }

    /** A minimal INI reader for bridge.conf ([section], key = value, # comments). */
    static Map<String, Map<String, String>> ini(final Path p) throws Exception {
        final Map<String, Map<String, String>> out = new LinkedHashMap<>();
        String section = "";
        for (final String raw : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            final String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).trim();
                continue;
            }
            final int eq = line.indexOf('=');
            if (eq > 0) {
                out.computeIfAbsent(section, x -> new LinkedHashMap<>()).put(line.substring(0, eq).trim(),
                        line.substring(eq + 1).trim());
            }
        }
        return out;
    }
}
