package pponode.ros;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detaches Fast DDS's threads from the JVM when they end. A DDS thread that calls into Java (a
 * subscription's listener) is attached by the JNI wrapper and never detached, so every participant
 * a process created and destroyed left a JavaThread whose OS thread was gone; a thread dump
 * (jcmd Thread.print) then read the dead thread's freed stack and crashed the JVM (SIGSEGV in
 * pthread_getcpuclockid). Each such thread is given, on its first callback, a pthread key whose
 * destructor is the JVM's own DetachCurrentThread with the JavaVM as argument: the C library
 * calls it as the thread exits, when no Java frame is left on it.
 */
final class NativeThreads {
    private static final Logger LOG = LoggerFactory.getLogger(NativeThreads.class);
    private static final ThreadLocal<Boolean> REGISTERED = new ThreadLocal<>();
    /** The key and the JavaVM, or null where this cannot be done (not Linux, no libjvm): threads then stay attached, as before. */
    private static final Key KEY = createKey();

    private record Key(int key, Pointer vm) {}

    interface PThread extends Library {
        int pthread_key_create(IntByReference key, Pointer destructor);

        int pthread_setspecific(int key, Pointer value);
    }

    private static PThread pthread;

    private NativeThreads() {}

    private static Key createKey() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) return null;
        try {
            NativeLibrary jvm = NativeLibrary.getProcess(); // libjvm is loaded into the process
            Function created = jvm.getFunction("JNI_GetCreatedJavaVMs");
            PointerByReference vms = new PointerByReference();
            IntByReference count = new IntByReference();
            if (created.invokeInt(new Object[] {vms.getPointer(), 1, count}) != 0 || count.getValue() < 1) return null;
            Pointer vm = vms.getValue();
            // JavaVM is a pointer to JNIInvokeInterface_: reserved0..2, DestroyJavaVM, AttachCurrentThread, DetachCurrentThread, ...
            Pointer detach = vm.getPointer(0).getPointer(5L * Native.POINTER_SIZE);
            pthread = Native.load("c", PThread.class);
            IntByReference key = new IntByReference();
            if (pthread.pthread_key_create(key, detach) != 0) return null;
            return new Key(key.getValue(), vm);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            LOG.debug("DDS threads stay attached to the JVM: {}", e.toString());
            return null;
        }
    }

    /** Called on every DDS callback: the first on a thread arranges its detach at exit. */
    static void detachAtExit() {
        if (KEY == null || REGISTERED.get() != null) return;
        REGISTERED.set(Boolean.TRUE);
        pthread.pthread_setspecific(KEY.key(), KEY.vm());
    }
}
