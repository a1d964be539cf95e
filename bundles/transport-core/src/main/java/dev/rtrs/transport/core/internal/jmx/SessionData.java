package dev.rtrs.transport.core.internal.jmx;

import java.beans.ConstructorProperties;

/** One session as JMX shows it (an open MBean composite type). */
public final class SessionData {

    private final String name;
    private final String state;
    private final String policy;
    private final int queueDepth;
    private final PathData[] paths;

    @ConstructorProperties({"name", "state", "policy", "queueDepth", "paths"})
    public SessionData(String name, String state, String policy, int queueDepth, PathData[] paths) {
        this.name = name;
        this.state = state;
        this.policy = policy;
        this.queueDepth = queueDepth;
        this.paths = paths.clone();
    }

    public String getName() {
        return name;
    }

    public String getState() {
        return state;
    }

    public String getPolicy() {
        return policy;
    }

    public int getQueueDepth() {
        return queueDepth;
    }

    public PathData[] getPaths() {
        return paths.clone();
    }
}
