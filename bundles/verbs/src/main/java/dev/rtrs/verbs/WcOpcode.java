package dev.rtrs.verbs;

/** What a completion is for. */
public enum WcOpcode {
    SEND,
    RDMA_WRITE,
    RDMA_READ,
    LOCAL_INV,
    REG_MR,
    /** A SEND or SEND_WITH_IMM or SEND_WITH_INV consumed a posted receive. */
    RECV,
    /** An RDMA_WRITE_WITH_IMM consumed a posted receive; the data went straight to the target region. */
    RECV_RDMA_WITH_IMM
}
