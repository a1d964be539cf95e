package dev.rtrs.webconsole.internal;

/** A table in the console's style; every cell that is not {@link Html} is escaped. */
final class HtmlTable {

    private final StringBuilder html = new StringBuilder();

    HtmlTable(String id, String... headers) {
        html.append("<table id=\"").append(Html.escape(id)).append("\" class=\"nicetable rtrs-table\"><thead><tr>");
        for (String h : headers) {
            html.append("<th>").append(Html.escape(h)).append("</th>");
        }
        html.append("</tr></thead><tbody>");
    }

    HtmlTable row(Object... cells) {
        html.append("<tr>");
        for (Object c : cells) {
            html.append("<td>")
                    .append(c instanceof Html h ? h.markup() : Html.escape(String.valueOf(c)))
                    .append("</td>");
        }
        html.append("</tr>");
        return this;
    }

    Html toHtml() {
        return new Html(html + "</tbody></table>");
    }
}
