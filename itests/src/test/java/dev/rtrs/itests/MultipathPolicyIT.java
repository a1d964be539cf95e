package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.rtrs.block.BlockDevice;
import dev.rtrs.test.support.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Multipath policies in the packaged appliance while the demo device carries a write-then-verify workload: switched
 * from the shell, a policy feature uninstalled and installed again, and a third-party policy hot-deployed through
 * deploy/ and removed again. No IO may fail and no block may be wrong.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MultipathPolicyIT extends ApplianceTestSupport {

    @Override
    protected List<Option> extraOptions() {
        return List.of(systemProperty("it.example.policy.jar").value(System.getProperty("it.example.policy.jar")));
    }

    /** Waits until {@code rtrs:sessions} shows the demo session with that policy text. */
    private void awaitPolicy(String shown) throws Exception {
        Pattern p = Pattern.compile("(?m)^\\s*demo\\s*\\|\\s*CONNECTED\\s*\\|\\s*" + Pattern.quote(shown) + "\\s*\\|");
        String[] out = {""};
        Await.value(
                () -> {
                    out[0] = executeCommand("rtrs:sessions");
                    return p.matcher(out[0]).find() ? out[0] : null;
                },
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(100),
                () -> "the demo session does not show policy '" + shown + "':\n" + out[0]);
    }

    private void awaitPolicyListed(String name, boolean listed) throws Exception {
        Pattern row = Pattern.compile("(?m)^\\s*" + Pattern.quote(name) + "\\s*\\|");
        String[] out = {""};
        Await.value(
                () -> {
                    out[0] = executeCommand("rtrs:policies");
                    return row.matcher(out[0]).find() == listed ? out[0] : null;
                },
                Duration.ofMillis(TIMEOUT_MS),
                Duration.ofMillis(100),
                () -> "policy " + name + (listed ? " not" : " still") + " listed:\n" + out[0]);
    }

    @Test
    public void policiesChangeUnderIoWithoutAFailedOrWrongBlock() throws Exception {
        BlockDevice demo = awaitService(BlockDevice.class, "(rnbd.device=demo)");
        awaitPolicy("min-inflight");
        String listed = executeCommandWithRetry("rtrs:policies");
        assertTrue(listed, listed.contains("round-robin") && listed.contains("min-latency") && listed.contains("mi"));
        BlockVerifiedLoad load = new BlockVerifiedLoad(demo, 4, 256, 1_000_000);

        // switched from the shell, by name and by alias
        for (String[] step :
                new String[][] {{"rr", "round-robin"}, {"min-latency", "min-latency"}, {"mi", "min-inflight"}}) {
            String out = executeCommand("rtrs:set-policy demo " + step[0]);
            assertTrue(out, out.contains("uses " + step[1]));
            awaitPolicy(step[1]);
            Thread.sleep(300);
        }
        try {
            executeCommand("rtrs:set-policy demo no-such-policy");
            fail("an unknown policy is refused");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no multipath policy named 'no-such-policy'"));
        }
        awaitPolicy("min-inflight");

        // the bundle of the policy in use is uninstalled, and installed again with its feature
        bundle("dev.rtrs.policy.mininflight").uninstall();
        awaitPolicy("round-robin (fallback: min-inflight is not installed)");
        Thread.sleep(300);
        featuresService.installFeature("rtrs-policy-min-inflight");
        awaitPolicy("min-inflight");
        // and updated in place
        bundle("dev.rtrs.policy.mininflight").update();
        awaitPolicy("min-inflight");

        // a third-party policy through deploy/
        Path jar = Paths.get(System.getProperty("it.example.policy.jar"));
        Path deployed = Paths.get(
                System.getProperty("karaf.base"), "deploy", jar.getFileName().toString());
        Files.copy(jar, deployed, StandardCopyOption.REPLACE_EXISTING);
        awaitPolicyListed("weighted", true);
        String out = executeCommand("rtrs:set-policy demo wrr");
        assertTrue(out, out.contains("uses weighted"));
        awaitPolicy("weighted");
        Thread.sleep(500);
        Files.delete(deployed);
        awaitPolicyListed("weighted", false);
        awaitPolicy("round-robin (fallback: weighted is not installed)");
        executeCommand("rtrs:set-policy demo min-inflight");
        awaitPolicy("min-inflight");
        Thread.sleep(300);

        load.finish();
        assertEquals(load.summary(), 0, load.errors.get());
        assertEquals(load.summary(), 0, load.mismatches.get());
        assertTrue(load.summary(), load.ios.get() > 1000);
    }
}
