package dev.rtrs.verbs;

/** Queue pair states, as in ibverbs. */
public enum QpState {
    RESET,
    /** Created on a connection-manager id: receives may be posted, sends not yet. */
    INIT,
    READY_TO_RECEIVE,
    /** Connected: both queues work. */
    READY_TO_SEND,
    /** A work request failed or the connection broke: outstanding and new work requests are flushed. */
    ERROR
}
