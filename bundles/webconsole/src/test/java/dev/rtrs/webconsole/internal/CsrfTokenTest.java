package dev.rtrs.webconsole.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpSession;
import org.junit.jupiter.api.Test;

class CsrfTokenTest {

    private final CsrfToken tokens = new CsrfToken();

    /** A session that keeps its attributes; nothing else of it is used. */
    private static HttpSession session() {
        Map<String, Object> attributes = new HashMap<>();
        return (HttpSession) Proxy.newProxyInstance(
                CsrfTokenTest.class.getClassLoader(),
                new Class<?>[] {HttpSession.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "setAttribute" -> attributes.put((String) args[0], args[1]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A request of {@code session} (null: none yet) with the given token values. */
    private static HttpServletRequest request(HttpSession session, String... token) {
        return (HttpServletRequest) Proxy.newProxyInstance(
                CsrfTokenTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getSession" -> (Boolean) args[0] || session != null ? session : null;
                    case "getParameterValues" -> CsrfToken.PARAMETER.equals(args[0]) && token.length > 0 ? token : null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aSessionKeepsItsTokenAndOnlyThatTokenPasses() {
        HttpSession session = session();
        String token = tokens.issue(request(session));
        assertEquals(token, tokens.issue(request(session)));
        assertTrue(token.length() >= 43, token);
        assertTrue(tokens.verify(request(session, token)));

        assertFalse(tokens.verify(request(session)), "no token");
        assertFalse(tokens.verify(request(session, token + "x")), "a wrong token");
        assertFalse(tokens.verify(request(session, token, token)), "the token twice");
        assertNotEquals(token, tokens.issue(request(session())), "another session, another token");
    }

    @Test
    void withoutASessionNothingPassesAndNoneIsMade() {
        assertFalse(tokens.verify(request(null, "anything")));
        HttpSession fresh = session();
        assertFalse(tokens.verify(request(fresh, "anything")), "a session that never had a page");
        assertNull(fresh.getAttribute(CsrfToken.class.getName()));
    }
}
