package dev.rtrs.webconsole.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpSession;

/**
 * The synchronizer token that guards the page's actions against cross-site requests: a random secret per HTTP
 * session, rendered into the page's forms and required with every POST. Another site can make a logged-in browser
 * send a POST (basic authentication goes along), but cannot read the page to learn the token.
 */
final class CsrfToken {

    /** The form field that carries the token. */
    static final String PARAMETER = "token";

    private static final String ATTRIBUTE = CsrfToken.class.getName();

    private final SecureRandom random = new SecureRandom();
    /** Ours, not the session's monitor (that belongs to the web container): two first requests make one token. */
    private final Object issuing = new Object();

    /** The session's token, made at its first use. Call before the response is committed: it may set a cookie. */
    String issue(HttpServletRequest request) {
        HttpSession session = request.getSession(true);
        synchronized (issuing) {
            Object token = session.getAttribute(ATTRIBUTE);
            if (token instanceof String t) {
                return t;
            }
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            String t = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            session.setAttribute(ATTRIBUTE, t);
            return t;
        }
    }

    /** Whether the request carries its session's token (exactly once). Never creates a session. */
    boolean verify(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        String[] given = request.getParameterValues(PARAMETER);
        if (session == null || given == null || given.length != 1) {
            return false;
        }
        Object expected = session.getAttribute(ATTRIBUTE);
        // compared in constant time: the time taken says nothing about how much of a guess was right
        return expected instanceof String e
                && MessageDigest.isEqual(e.getBytes(StandardCharsets.UTF_8), given[0].getBytes(StandardCharsets.UTF_8));
    }
}
