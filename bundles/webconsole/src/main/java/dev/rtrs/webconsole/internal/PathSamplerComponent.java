package dev.rtrs.webconsole.internal;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every path's counters into a {@link PathHistory} once a second, on a thread of its own, from activation
 * on: the chart has the last minutes as soon as the page opens.
 */
@Component(service = PathSampler.class, configurationPid = PathSamplerComponent.PID)
@Designate(ocd = PathSamplerConfig.class)
public final class PathSamplerComponent implements PathSampler {

    static final String PID = "dev.rtrs.webconsole.PathSampler";

    private static final Logger LOG = LoggerFactory.getLogger(PathSamplerComponent.class);

    private final AdminServices services;
    private final PathHistory history;
    private final ScheduledExecutorService timer;
    /** Only the sampler thread touches it: one warning per run of failures, not one a second. */
    private boolean failing;

    @Activate
    public PathSamplerComponent(@Reference AdminServices services, PathSamplerConfig config) {
        this.services = services;
        this.history = new PathHistory(config.historySeconds(), config.maxPaths());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rtrs-webconsole-sampler");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    @Override
    public PathHistory.Snapshot history() {
        return history.snapshot();
    }

    private void sample() {
        // an exception would cancel the schedule for good: a failing sample is logged and the next one tries again
        try {
            List<PathSample> samples = services.transport()
                    .map(admin -> PathSample.of(ApplianceSnapshot.transport(admin)))
                    .orElse(List.of());
            history.record(System.currentTimeMillis(), System.nanoTime(), samples);
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warn("Sampling the RTRS paths for the web console failed; retrying every second", e);
                failing = true;
            }
        }
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }
}
