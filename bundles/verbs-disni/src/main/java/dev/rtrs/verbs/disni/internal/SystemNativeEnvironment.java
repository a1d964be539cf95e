package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.util.MemoryUtils;
import com.ibm.disni.verbs.RdmaProvider;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The real checks. libdisni is loaded here, by this class's class loader, before any DiSNI class is touched: DiSNI
 * loads it again in a static initializer, which then finds it loaded by the same class loader, and a missing
 * library never leaves a half-initialised DiSNI class behind.
 */
public final class SystemNativeEnvironment implements NativeEnvironment {

    /** The JVM flag DiSNI needs on Java 9 and later. */
    public static final String EXPORTS_FLAG = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";

    private final String library;

    public SystemNativeEnvironment() {
        this("disni");
    }

    /** For tests: a library name that does not exist exercises the real failure path. */
    SystemNativeEnvironment(String library) {
        this.library = library;
    }

    @Override
    public String loadLibrary() {
        try {
            System.loadLibrary(library);
            return null;
        } catch (UnsatisfiedLinkError e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("java.library.path")) {
                return "lib" + library + " not found in java.library.path (" + System.getProperty("java.library.path")
                        + ")";
            }
            // found but unusable: a missing librdmacm/libibverbs, or loaded by another class loader already
            return "lib" + library + " could not be loaded (" + message + ")";
        } catch (LinkageError | SecurityException e) {
            return "lib" + library + " could not be loaded (" + e + ")";
        }
    }

    @Override
    public String checkDirectBufferAccess() {
        try {
            MemoryUtils.getAddress(ByteBuffer.allocateDirect(8));
            return null;
        } catch (LinkageError e) {
            // IllegalAccessError without the flag; NoClassDefFoundError on later calls
            return "the JVM lacks " + EXPORTS_FLAG + " (DiSNI reads direct buffer addresses through sun.nio.ch)";
        }
    }

    @Override
    public String startDisni() {
        try {
            RdmaProvider.provider();
            return null;
        } catch (IOException e) {
            return "libdisni does not match DiSNI 2.1 (" + e.getMessage() + ")";
        } catch (LinkageError e) {
            return "DiSNI could not start (" + e + ")";
        }
    }
}
