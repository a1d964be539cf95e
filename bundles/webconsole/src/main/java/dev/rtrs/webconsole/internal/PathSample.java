package dev.rtrs.webconsole.internal;

import dev.rtrs.transport.PathInfo;
import dev.rtrs.transport.PathStatistics;
import java.util.ArrayList;
import java.util.List;

/**
 * One path's counters at one moment, as the sampler hands them to {@link PathHistory}.
 *
 * @param key        identifies the path across samples: side, session name and path uuid
 * @param side       {@code client} or {@code server}
 * @param session    the session's name
 * @param path       the path's name ({@code src@dst})
 * @param statistics its counters
 */
record PathSample(String key, String side, String session, String path, PathStatistics statistics) {

    static final String CLIENT = "client";
    static final String SERVER = "server";

    /** Every path of every client and server session of the transport. */
    static List<PathSample> of(ApplianceSnapshot.Transport transport) {
        List<PathSample> samples = new ArrayList<>();
        for (ApplianceSnapshot.ClientSessionState s : transport.clientSessions()) {
            for (PathInfo p : s.paths()) {
                samples.add(of(CLIENT, s.name(), p));
            }
        }
        for (ApplianceSnapshot.Server server : transport.servers()) {
            for (ApplianceSnapshot.ServerSessionState s : server.sessions()) {
                for (PathInfo p : s.paths()) {
                    samples.add(of(SERVER, s.name(), p));
                }
            }
        }
        return samples;
    }

    private static PathSample of(String side, String session, PathInfo path) {
        return new PathSample(side + "/" + session + "/" + path.uuid(), side, session, path.name(), path.statistics());
    }
}
