package dev.rtrs.metrics.internal;

import dev.rtrs.block.RnbdClientAdmin;
import dev.rtrs.block.RnbdServerAdmin;
import dev.rtrs.transport.RtrsAdmin;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.HttpService;
import org.osgi.service.http.NamespaceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the appliance's metrics at {@value #ALIAS} in the Prometheus text format, on the appliance's HTTP port
 * (loopback by default, like the web console). The admin services are optional: what is missing is left out.
 */
@Component(immediate = true)
public final class MetricsComponent {

    static final String ALIAS = "/metrics";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsComponent.class);

    private final HttpService http;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RtrsAdmin transport;

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RnbdClientAdmin client;

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RnbdServerAdmin server;

    @Activate
    public MetricsComponent(@Reference HttpService http) throws ServletException, NamespaceException {
        this.http = http;
        registry.register(new RtrsCollector(() -> transport, () -> client, () -> server));
        http.registerServlet(ALIAS, new MetricsServlet(), null, null);
        LOG.info("Prometheus metrics at {}", ALIAS);
    }

    /** GET: every metric, in the Prometheus text format. */
    private final class MetricsServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setContentType(writer.getContentType());
            try (OutputStream out = response.getOutputStream()) {
                writer.write(out, registry.scrape());
            }
        }
    }

    @Deactivate
    void deactivate() {
        http.unregister(ALIAS);
    }
}
