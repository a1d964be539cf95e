package dev.rtrs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/** The packaged appliance boots with its features and answers on the shell. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ApplianceIT extends ApplianceTestSupport {

    @Test
    public void applianceFeaturesAreInstalledAtBoot() throws Exception {
        for (String feature : new String[] {"rtrs-appliance", "rtrs-verbs", "scr", "webconsole"}) {
            assertTrue(feature + " installed", featuresService.isInstalled(featuresService.getFeature(feature)));
        }
        Bundle verbs = bundle("dev.rtrs.verbs");
        assertNotNull("verbs API bundle", verbs);
        assertEquals(Bundle.ACTIVE, verbs.getState());
    }

    @Test
    public void shellListsInstalledFeatures() throws Exception {
        String out = executeCommandWithRetry("feature:list -i");
        assertTrue(out, out.contains("rtrs-appliance"));
        assertTrue(out, out.contains("rtrs-verbs"));
    }

    @Test
    public void verbsApiIsExportedWithItsVersion() throws Exception {
        String out = executeCommandWithRetry("package:exports");
        String line = out.lines()
                .filter(l -> l.contains("dev.rtrs.verbs "))
                .findFirst()
                .orElse("");
        assertTrue(out, line.contains("3.0.0"));
    }
}
