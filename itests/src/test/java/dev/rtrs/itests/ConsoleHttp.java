package dev.rtrs.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A web console client as a browser is one: HTTP basic authentication, and the session cookie the console sets (the
 * form token of the RTRS page belongs to that session). One instance is one browser; {@link #withoutCookie()} another.
 */
final class ConsoleHttp {

    /** A response: status, content type and body. */
    record Response(int status, String contentType, String body) {

        @Override
        public String toString() {
            return status + " " + (body.length() > 2000 ? body.substring(0, 2000) + "..." : body);
        }
    }

    private final String base;
    private final String authorization;
    private String cookie;

    /** @param user null for no credentials */
    ConsoleHttp(int port, String user, String password) {
        this.base = "http://127.0.0.1:" + port;
        this.authorization = user == null
                ? null
                : "Basic "
                        + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private ConsoleHttp(String base, String authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** The same user in another browser: no session cookie yet. */
    ConsoleHttp withoutCookie() {
        return new ConsoleHttp(base, authorization);
    }

    Response get(String path) throws IOException {
        return exchange(open(path, "GET", "text/html,application/json"), null);
    }

    /** A form POST; {@code fields} as name, value, name, value, ... */
    Response post(String path, String... fields) throws IOException {
        Map<String, String> form = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            form.put(fields[i], fields[i + 1]);
        }
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpURLConnection c = open(path, "POST", "application/json");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
        return exchange(c, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private HttpURLConnection open(String path, String method, String accept) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(base + path).openConnection();
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(30_000);
        c.setRequestProperty("Accept", accept);
        if (authorization != null) {
            c.setRequestProperty("Authorization", authorization);
        }
        if (cookie != null) {
            c.setRequestProperty("Cookie", cookie);
        }
        return c;
    }

    private Response exchange(HttpURLConnection c, byte[] body) throws IOException {
        try {
            if (body != null) {
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            keepSessionCookie(c.getHeaderFields().get("Set-Cookie"));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) {
                    in.transferTo(bytes);
                }
            }
            return new Response(status, String.valueOf(c.getContentType()), bytes.toString(StandardCharsets.UTF_8));
        } finally {
            c.disconnect();
        }
    }

    private void keepSessionCookie(List<String> setCookies) {
        if (setCookies == null) {
            return;
        }
        for (String header : setCookies) {
            String pair = header.split(";", 2)[0].trim();
            if (pair.startsWith("JSESSIONID=")) {
                cookie = pair;
            }
        }
    }
}
