package dev.rtrs.verbs;

/** Operations of the send queue. */
public enum SendOpcode {
    RDMA_WRITE,
    /** RDMA WRITE that also consumes a receive at the peer and delivers 32 bits of immediate data. */
    RDMA_WRITE_WITH_IMM,
    SEND,
    SEND_WITH_IMM,
    /** SEND that also invalidates an rkey of the peer before the peer sees the receive completion. */
    SEND_WITH_INV,
    RDMA_READ,
    /** Invalidates a local rkey; its completion is the fence for remote access. */
    LOCAL_INV,
    /** Makes the memory region's current key (see {@link MemoryRegion#updateKey()}) valid. */
    REG_MR
}
