package dev.rtrs.block.client.internal.nbd;

/** The request and reply headers a connection agreed on during negotiation. */
enum NbdHeaderMode {
    /** Compact requests, simple replies: what a client gets that asks for nothing. */
    SIMPLE(Nbd.REQUEST_MAGIC, Nbd.REQUEST_HEADER),
    /** Compact requests, structured reply chunks (NBD_OPT_STRUCTURED_REPLY). */
    STRUCTURED(Nbd.REQUEST_MAGIC, Nbd.REQUEST_HEADER),
    /** Extended requests with 64-bit lengths, extended reply chunks (NBD_OPT_EXTENDED_HEADERS). */
    EXTENDED(Nbd.EXTENDED_REQUEST_MAGIC, Nbd.EXTENDED_REQUEST_HEADER);

    private final int requestMagic;
    private final int requestHeaderBytes;

    NbdHeaderMode(int requestMagic, int requestHeaderBytes) {
        this.requestMagic = requestMagic;
        this.requestHeaderBytes = requestHeaderBytes;
    }

    int requestMagic() {
        return requestMagic;
    }

    int requestHeaderBytes() {
        return requestHeaderBytes;
    }

    /** Replies come in chunks: structured or extended. */
    boolean chunked() {
        return this != SIMPLE;
    }
}
