package dev.ftguard.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * SIGHUP handling. The JDK has no public API for it; this uses {@code sun.misc.Signal} from the
 * jdk.unsupported module (through reflection, so that nothing breaks where it is missing). Its
 * handler runs on a JVM thread, not in signal context; ours only sets a flag. Without a handler the
 * JVM treats SIGHUP as a request to shut down.
 */
final class Sighup {
  private Sighup() {}

  private static Object previous;

  /** Routes SIGHUP to {@code action}; false when this JVM does not allow it (e.g. {@code -Xrs}). */
  static synchronized boolean install(Runnable action) {
    try {
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              Sighup.class.getClassLoader(),
              new Class<?>[] {handlerType},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "handle" -> action.run();
                  case "hashCode" -> {
                    return System.identityHashCode(proxy);
                  }
                  case "equals" -> {
                    return proxy == args[0];
                  }
                  case "toString" -> {
                    return "ftguard SIGHUP handler";
                  }
                  default -> {}
                }
                return null;
              });
      Object old = handle(handler);
      if (previous == null) {
        previous = old;
      }
      return true;
    } catch (ReflectiveOperationException | IllegalArgumentException | LinkageError e) {
      return false;
    }
  }

  /** Gives SIGHUP back to the handler it had before {@link #install}. */
  static synchronized void uninstall() {
    if (previous != null) {
      try {
        handle(previous);
      } catch (ReflectiveOperationException | IllegalArgumentException | LinkageError e) {
        // leave ours in place: it only sets a flag
      }
      previous = null;
    }
  }

  /** {@code sun.misc.Signal.handle(new Signal("HUP"), handler)}; returns the old handler. */
  private static Object handle(Object handler) throws ReflectiveOperationException {
    Class<?> signalType = Class.forName("sun.misc.Signal");
    Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
    Object hup = signalType.getConstructor(String.class).newInstance("HUP");
    Method handle = signalType.getMethod("handle", signalType, handlerType);
    try {
      return handle.invoke(null, hup, handler);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw e;
    }
  }
}
