package dev.rtrs.webconsole.internal;

/**
 * HTML that goes into the page as it is: built only by {@link #escape} and the view's own markup, so that nothing read
 * from a service or a request reaches the page unescaped.
 */
record Html(String markup) {

    /** Text (a cell, or an attribute value in quotes) with every character HTML gives a meaning escaped. */
    static Html text(Object value) {
        return new Html(escape(String.valueOf(value)));
    }

    /**
     * Escapes {@code & < > " '}. Not the console's {@code WebConsoleUtil.escapeHtml}: that one also turns spaces into
     * {@code &nbsp;} and line breaks into {@code <br/>}, which would change the values forms send back.
     */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return markup;
    }
}
