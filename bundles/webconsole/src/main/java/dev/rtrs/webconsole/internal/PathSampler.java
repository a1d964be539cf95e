package dev.rtrs.webconsole.internal;

/** The per-path rates of the last minutes, as the sampler recorded them. */
interface PathSampler {

    /** Non-blocking beyond a copy of the history. */
    PathHistory.Snapshot history();
}
