package dev.rtrs.verbs.disni.internal;

/** What the provider needs from the JVM and the machine besides devices; each check returns null when satisfied. */
public interface NativeEnvironment {

    /** Loads libdisni; null on success, otherwise what is wrong. */
    String loadLibrary();

    /** Whether DiSNI may read direct buffer addresses; null when it may, otherwise what is missing. */
    String checkDirectBufferAccess();

    /** Starts DiSNI's native provider (it checks libdisni's JNI version); null on success. */
    String startDisni();
}
