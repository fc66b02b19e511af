package dev.ssekit.internal.cdi;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the ssekit interceptors and their deployment checks read off an annotated method. */
final class Bindings {
    /** A {@code {name}} part of a topic template. */
    static final Pattern VARIABLE = Pattern.compile("\\{([^}/]+)}");

    private Bindings() {
    }

    /** @return the annotation on the method, or else on its class */
    static <A extends Annotation> A markerOf(Method method, Class<A> annotation) {
        A spec = method.getAnnotation(annotation);
        return spec != null ? spec : method.getDeclaringClass().getAnnotation(annotation);
    }

    /** Fills {@code {name}} parts from the {@code @PathParam("name")} arguments. */
    static String topicOf(String template, Method method, Object[] args) {
        Matcher m = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int index = pathParamIndex(method, m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(args[index])));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** @return the index of the parameter annotated {@code @PathParam(name)}, or -1 */
    static int pathParamIndex(Method method, String name) {
        Annotation[][] all = method.getParameterAnnotations();
        for (int i = 0; i < all.length; i++) {
            for (Annotation a : all[i]) {
                if (a instanceof PathParam p && p.value().equals(name)) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** @return the index of the first parameter of exactly this type, or -1 */
    static int indexOfType(Method method, Class<?> type) {
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            if (types[i] == type) {
                return i;
            }
        }
        return -1;
    }

    /** @return the index of the {@code @HeaderParam("Last-Event-ID") String} parameter, or -1 */
    static int lastEventIdIndex(Method method) {
        Annotation[][] all = method.getParameterAnnotations();
        for (int i = 0; i < all.length; i++) {
            for (Annotation a : all[i]) {
                if (a instanceof HeaderParam h && h.value().equalsIgnoreCase("Last-Event-ID")
                        && method.getParameterTypes()[i] == String.class) {
                    return i;
                }
            }
        }
        return -1;
    }
}
