package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.rtrs.test.support.Await;
import dev.rtrs.verbs.VerbsProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.karaf.features.Feature;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The DiSNI provider ships with the appliance but is not installed at boot. Installed at runtime on a machine
 * without libdisni or RDMA devices (like the build machine), its bundle runs, registers no provider, logs one line
 * saying what is missing, and leaves the rest of the appliance alone.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DisniProviderIT extends ApplianceTestSupport {

    private static final String FEATURE = "rtrs-verbs-disni";
    private static final String INACTIVE = "DiSNI RDMA provider inactive: ";
    private static final String PROVIDER_COMPONENT = "dev.rtrs.verbs.disni.internal.DisniVerbsComponent";
    private static final String DETECTOR_COMPONENT = "dev.rtrs.verbs.disni.internal.DisniDetector";

    @Test
    public void installsOfflineAndStaysInactiveWithOneLogLine() throws Exception {
        Feature disni = featuresService.getFeature(FEATURE);
        assertNotNull("the appliance ships " + FEATURE, disni);
        assertFalse("not installed at boot", featuresService.isInstalled(disni));
        List<Feature> installedBefore = List.of(featuresService.listInstalledFeatures());
        assertTrue(installedBefore.stream().anyMatch(f -> f.getName().equals("rtrs-appliance")));

        featuresService.installFeature(FEATURE);

        assertTrue(featuresService.isInstalled(featuresService.getFeature(FEATURE)));
        Bundle bundle = bundle("dev.rtrs.verbs.disni");
        assertNotNull("provider bundle installed", bundle);
        assertEquals(Bundle.ACTIVE, bundle.getState());

        List<String> lines = awaitLogLines(INACTIVE);
        assertEquals("exactly one line: " + lines, 1, lines.size());
        String line = lines.get(0);
        assertTrue(line, line.contains("WARN"));
        assertTrue(
                line,
                line.contains(INACTIVE + "libdisni not found in java.library.path (")
                        || line.contains(INACTIVE + "no RDMA device"));
        if (!Files.isDirectory(Path.of("/sys/class/infiniband"))) {
            assertTrue(line, line.contains("no RDMA device (no /sys/class/infiniband entries)"));
        }
        assertFalse("the container runs with the JVM flag DiSNI needs: " + line, line.contains("--add-exports"));

        assertTrue(
                "no rtrs.provider=disni service",
                bundleContext
                        .getServiceReferences(VerbsProvider.class, "(rtrs.provider=disni)")
                        .isEmpty());
        ServiceComponentRuntime scr = awaitService(ServiceComponentRuntime.class, null);
        ComponentDescriptionDTO provider = scr.getComponentDescriptionDTO(bundle, PROVIDER_COMPONENT);
        assertNotNull(PROVIDER_COMPONENT, provider);
        assertFalse("the provider component stays disabled", scr.isComponentEnabled(provider));
        ComponentDescriptionDTO detector = scr.getComponentDescriptionDTO(bundle, DETECTOR_COMPONENT);
        Collection<ComponentConfigurationDTO> detectors = scr.getComponentConfigurationDTOs(detector);
        assertEquals(1, detectors.size());
        assertEquals(
                "the detector activated without failure",
                ComponentConfigurationDTO.ACTIVE,
                detectors.iterator().next().state);
        assertFalse("no SCR error or stack trace from the provider bundle", logMentionsFailure());

        for (Feature f : installedBefore) {
            assertTrue(f.getId() + " still installed", featuresService.isInstalled(f));
        }
    }

    /** The container's karaf.log lines containing {@code text}, once at least one has been written. */
    private List<String> awaitLogLines(String text) throws Exception {
        return Await.value(
                () -> {
                    List<String> found =
                            log().stream().filter(l -> l.contains(text)).collect(Collectors.toList());
                    return found.isEmpty() ? null : found;
                },
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(200),
                () -> "no log line with '" + text + "' in " + logFile());
    }

    private boolean logMentionsFailure() throws IOException {
        List<String> log = log();
        for (int i = 0; i < log.size(); i++) {
            String l = log.get(i);
            boolean ours = l.contains("dev.rtrs.verbs.disni") || l.contains("com.ibm.disni");
            if (ours && (l.contains("ERROR") || l.contains("Exception") || l.contains("Error:"))) {
                return true;
            }
            if (l.contains(INACTIVE) && i + 1 < log.size() && log.get(i + 1).startsWith("\tat ")) {
                return true;
            }
        }
        return false;
    }

    private List<String> log() throws IOException {
        Path file = logFile();
        return Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    private static Path logFile() {
        String logDir = System.getProperty("karaf.log");
        if (logDir != null && Files.isRegularFile(Path.of(logDir, "karaf.log"))) {
            return Path.of(logDir, "karaf.log");
        }
        String data = System.getProperty("karaf.data", System.getProperty("karaf.base") + "/data");
        return Path.of(data, "log", "karaf.log");
    }
}
