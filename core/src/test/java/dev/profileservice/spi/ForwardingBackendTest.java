package dev.profileservice.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every method of {@link Backend}, the default ones included, reaches the delegate of a
 * {@link ForwardingBackend} with the same arguments, and its result comes back unchanged.
 */
class ForwardingBackendTest {

    /** One call the recording delegate received. */
    private record Call(Method method, Object[] args) {}

    /** A delegate that records each call and answers with a fresh object of the return type. */
    private static final class Recorder {
        final List<Call> calls = new ArrayList<>();
        final Map<String, Object> answers = new TreeMap<>();
        final Backend backend = (Backend) Proxy.newProxyInstance(
                Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> {
                    if (m.getDeclaringClass() == Object.class) {
                        return switch (m.getName()) {
                            case "toString" -> "recorder";
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> throw new AssertionError(m);
                        };
                    }
                    calls.add(new Call(m, args == null ? new Object[0] : args));
                    Object answer = answerFor(m);
                    answers.put(signature(m), answer);
                    return answer;
                });
    }

    private static Object answerFor(Method m) {
        Class<?> t = m.getReturnType();
        if (t == void.class) {
            return null;
        }
        if (t == int.class) {
            return 4711; // neither 1 nor 64, the defaults of maxBatchSize and maxConcurrentCalls
        }
        if (t == boolean.class) {
            return true;
        }
        if (t == String.class) {
            return new String("from delegate");
        }
        if (t == StoredProfile.class) {
            return new StoredProfile(new byte[] {9}, 9, null, List.of(), 0);
        }
        if (t == AcquireResult.class) {
            return new AcquireResult(true, StoredProfile.ABSENT);
        }
        if (t == SaveResult.class) {
            return new SaveResult(SaveResult.Status.SAVED, StoredProfile.ABSENT);
        }
        if (t == Optional.class) {
            return Optional.of(new Object()); // never inspected: only compared by identity
        }
        if (t == List.class) {
            return new ArrayList<>(List.of("from delegate"));
        }
        if (t == SendResult.class) {
            return new SendResult(SendResult.Status.APPLIED, List.of(1L), null);
        }
        if (t == LeaseClock.class) {
            return LeaseClock.HOST;
        }
        throw new AssertionError("the test does not know how to answer " + m + "; extend answerFor");
    }

    private static Object argumentFor(Class<?> type, int index) {
        if (type == String.class) {
            return "arg" + index;
        }
        if (type == long.class) {
            return 1000L + index;
        }
        if (type == int.class) {
            return 100 + index;
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == byte[].class) {
            return new byte[] {(byte) index};
        }
        if (type == Owner.class) {
            return new Owner("srv" + index, "place", "job");
        }
        if (type == SaveRequest.class) {
            return SaveRequest.of("srv", index, new byte[] {1}, false);
        }
        if (type == java.time.Duration.class) {
            return java.time.Duration.ofMillis(index);
        }
        if (type == List.class) {
            return List.of(new SaveItem("S", "k" + index, SaveRequest.of("srv", 1, new byte[] {2}, false)));
        }
        if (type == RoundTripListener.class) {
            RoundTripListener l = op -> {};
            return l;
        }
        throw new AssertionError("the test does not know how to make a " + type + "; extend argumentFor");
    }

    private static String signature(Method m) {
        return m.getName() + Arrays.toString(m.getParameterTypes());
    }

    /** Backend's methods, one per signature (close() appears once though AutoCloseable declares it too). */
    private static List<Method> backendMethods() {
        Map<String, Method> bySignature = new TreeMap<>();
        for (Method m : Backend.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers())) {
                bySignature.merge(signature(m), m, (a, b) -> a.getDeclaringClass() == Backend.class ? a : b);
            }
        }
        List<Method> out = new ArrayList<>(bySignature.values());
        out.sort(Comparator.comparing(ForwardingBackendTest::signature));
        return out;
    }

    @Test
    void everyBackendMethodIsForwardedWithItsArgumentsAndResult() throws Exception {
        List<Method> methods = backendMethods();
        assertThat(methods)
                .extracting(Method::getName)
                .as("the default methods are part of the check")
                .contains(
                        "saveBatch",
                        "maxBatchSize",
                        "messageBus",
                        "maxConcurrentCalls",
                        "setRoundTripListener",
                        "close");

        for (Method m : methods) {
            Recorder recorder = new Recorder();
            ForwardingBackend forwarding = new ForwardingBackend(recorder.backend) {};
            Class<?>[] types = m.getParameterTypes();
            Object[] args = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                args[i] = argumentFor(types[i], i);
            }

            Object result = m.invoke(forwarding, args);

            assertThat(recorder.calls)
                    .as("calls the delegate received for %s", signature(m))
                    .hasSize(1);
            Call call = recorder.calls.get(0);
            assertThat(signature(call.method()))
                    .as("method the delegate received for %s", signature(m))
                    .isEqualTo(signature(m));
            for (int i = 0; i < args.length; i++) {
                if (types[i].isPrimitive()) { // boxed on the way: equal, not the same box
                    assertThat(call.args()[i])
                            .as("argument %d of %s", i, signature(m))
                            .isEqualTo(args[i]);
                } else {
                    assertThat(call.args()[i])
                            .as("argument %d of %s", i, signature(m))
                            .isSameAs(args[i]);
                }
            }
            Object answer = recorder.answers.get(signature(m));
            if (m.getReturnType().isPrimitive()) {
                assertThat(result).as("result of %s", signature(m)).isEqualTo(answer);
            } else {
                assertThat(result).as("result of %s", signature(m)).isSameAs(answer);
            }
        }
    }

    @Test
    void forwardingBackendOverridesEveryBackendMethod() {
        for (Method m : backendMethods()) {
            assertThat(declares(ForwardingBackend.class, m))
                    .as("ForwardingBackend declares %s (a default body would not reach the delegate)", signature(m))
                    .isTrue();
        }
    }

    private static boolean declares(Class<?> c, Method m) {
        try {
            c.getDeclaredMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    @Test
    void saveBatchGoesToTheDelegatesSaveBatchNotToSave() {
        Recorder recorder = new Recorder();
        List<String> ownSaves = new ArrayList<>();
        ForwardingBackend onlySave = new ForwardingBackend(recorder.backend) {
            @Override
            public SaveResult save(String store, String key, SaveRequest request) {
                ownSaves.add(key);
                return super.save(store, key, request);
            }
        };
        SaveRequest w = SaveRequest.of("srv", 1, new byte[] {1}, false);
        onlySave.saveBatch(List.of(new SaveItem("S", "a", w), new SaveItem("S", "b", w)));

        assertThat(ownSaves)
                .as("the documented pitfall: overriding save alone misses batches")
                .isEmpty();
        assertThat(recorder.calls).extracting(c -> c.method().getName()).containsExactly("saveBatch");
    }

    @Test
    void delegateIsExposedToSubclassesAndMustNotBeNull() {
        Recorder recorder = new Recorder();
        ForwardingBackend f = new ForwardingBackend(recorder.backend) {};
        assertThat(f.delegate()).isSameAs(recorder.backend);
        assertThatThrownBy(() -> new ForwardingBackend(null) {})
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delegate");
    }
}
