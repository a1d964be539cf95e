package dev.rtrs.webconsole.internal;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import javax.servlet.Servlet;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.felix.webconsole.DefaultVariableResolver;
import org.apache.felix.webconsole.SimpleWebConsolePlugin;
import org.apache.felix.webconsole.WebConsoleConstants;
import org.apache.felix.webconsole.WebConsoleUtil;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The web console page at {@code /system/console/rtrs}: routes each request and does no work of its own. GET renders
 * the page inside the console's frame ({@link PageView} into {@code templates/rtrs.html}), {@code data.json} the
 * chart's data ({@link DataJson}), {@code res/*} the page's script, style and uPlot; POST performs an action
 * ({@link ConsoleActions}) once {@link CsrfToken} accepted it. The console's login guards every one of them.
 */
@Component(
        service = Servlet.class,
        property = {
            WebConsoleConstants.PLUGIN_LABEL + "=" + RtrsConsolePlugin.LABEL,
            WebConsoleConstants.PLUGIN_TITLE + "=" + RtrsConsolePlugin.TITLE,
            WebConsoleConstants.PLUGIN_CATEGORY + "=" + RtrsConsolePlugin.CATEGORY
        })
public final class RtrsConsolePlugin extends SimpleWebConsolePlugin {

    static final String LABEL = "rtrs";
    static final String TITLE = "RTRS sessions and devices";
    static final String CATEGORY = "RTRS";

    private static final long serialVersionUID = 1L;
    private static final String PAGE = "/" + LABEL;
    private static final String DATA = PAGE + "/data.json";
    private static final String RESOURCES = PAGE + "/res/";
    private static final String[] CSS = {RESOURCES + "uplot/uPlot.min.css", RESOURCES + "rtrs.css"};
    private static final String TOKEN_ATTRIBUTE = RtrsConsolePlugin.class.getName() + ".token";

    private final transient AdminServices services;
    private final transient PathSampler sampler;
    private final transient ConsoleActions actions;
    private final transient CsrfToken tokens = new CsrfToken();
    private final String template;

    @Activate
    public RtrsConsolePlugin(@Reference AdminServices services, @Reference PathSampler sampler) {
        super(LABEL, TITLE, CATEGORY, CSS);
        this.services = services;
        this.sampler = sampler;
        this.actions = new ConsoleActions(services);
        this.template = readTemplateFile("/templates/rtrs.html");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String path = request.getPathInfo();
        if (DATA.equals(path)) {
            writeJson(response, HttpServletResponse.SC_OK, DataJson.toJson(snapshot(), sampler.history()));
        } else if (PAGE.equals(path)) {
            // the token before the console writes its header: making a session may set a cookie
            request.setAttribute(TOKEN_ATTRIBUTE, tokens.issue(request));
            super.doGet(request, response);
        } else if (getResource(path) != null) {
            super.doGet(request, response);
        } else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    /** The page, inside the console's header and footer (written by the base class). */
    @Override
    protected void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String pluginRoot = (String) request.getAttribute(WebConsoleConstants.ATTR_PLUGIN_ROOT);
        DefaultVariableResolver vars = (DefaultVariableResolver) WebConsoleUtil.getVariableResolver(request);
        vars.putAll(PageView.variables(snapshot(), (String) request.getAttribute(TOKEN_ATTRIBUTE), pluginRoot));
        response.getWriter().print(template);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!PAGE.equals(request.getPathInfo())) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        ActionResult result = tokens.verify(request)
                ? actions.perform(request.getParameterMap())
                : ActionResult.forbidden("the form token is missing or stale: reload the page and try again");
        String accept = request.getHeader("Accept");
        if (result.ok() && accept != null && accept.contains("text/html") && !accept.contains("application/json")) {
            // a form sent without JavaScript: back to the page, which shows the new state
            response.setStatus(HttpServletResponse.SC_SEE_OTHER);
            response.setHeader(
                    "Location",
                    request.getAttribute(WebConsoleConstants.ATTR_PLUGIN_ROOT).toString());
        } else {
            writeJson(response, result.status(), result.toJson());
        }
    }

    /** Only the files under res/ (the base class would serve any class-path resource under the label). */
    @Override
    protected URL getResource(String path) {
        if (path == null || !path.startsWith(RESOURCES) || path.contains("..")) {
            return null;
        }
        return getClass().getResource(path.substring(PAGE.length()));
    }

    private ApplianceSnapshot snapshot() {
        return ApplianceSnapshot.capture(services, System.currentTimeMillis());
    }

    private static void writeJson(HttpServletResponse response, int status, String json) throws IOException {
        response.setStatus(status);
        WebConsoleUtil.setNoCache(response);
        // the content type before the writer: the console filters only text/html for ${...} variables
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(json);
    }
}
