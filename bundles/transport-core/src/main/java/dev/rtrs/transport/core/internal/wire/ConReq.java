package dev.rtrs.transport.core.internal.wire;

import java.util.UUID;

/**
 * CON_REQ, the private data of a connect (56 bytes).
 *
 * @param magic       {@link RtrsProtocol#MAGIC}
 * @param version     {@link RtrsProtocol#VERSION}
 * @param cid         this connection's index within its path
 * @param cidNum      connections of the path
 * @param reconCnt    reconnect counter of the path
 * @param pathUuid    uuid of the path (the kernel's sess_uuid)
 * @param sessionUuid uuid of the session (the kernel's paths_uuid)
 * @param firstConn   this is the path's first connection
 */
public record ConReq(
        int magic, int version, int cid, int cidNum, int reconCnt, UUID pathUuid, UUID sessionUuid, boolean firstConn) {

    public static final int SIZE = RtrsProtocol.PRIVATE_DATA_SIZE;
}
