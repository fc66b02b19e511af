package dev.ssekit.app.url;

import java.util.ArrayList;
import java.util.List;

/**
 * The URL Standard's mutable URL record, as the parser builds it: {@link WhatwgUrl} is its
 * immutable snapshot. The host is kept serialized (null: no host, "": the empty host).
 */
final class UrlRecord {
    String scheme = "";
    String username = "";
    String password = "";
    String host;
    Integer port;
    /** The path segments; unused while {@link #opaquePath} is non-null. */
    List<String> path = new ArrayList<>();
    /** The opaque path, or null if the path is a list of segments. */
    StringBuilder opaquePath;
    String query;
    String fragment;

    UrlRecord copy() {
        UrlRecord copy = new UrlRecord();
        copy.scheme = scheme;
        copy.username = username;
        copy.password = password;
        copy.host = host;
        copy.port = port;
        copy.path = new ArrayList<>(path);
        copy.opaquePath = opaquePath == null ? null : new StringBuilder(opaquePath);
        copy.query = query;
        copy.fragment = fragment;
        return copy;
    }

    boolean isSpecial() {
        return WhatwgUrl.isSpecialScheme(scheme);
    }

    boolean includesCredentials() {
        return !username.isEmpty() || !password.isEmpty();
    }

    boolean cannotHaveUsernamePasswordPort() {
        return host == null || host.isEmpty() || scheme.equals("file");
    }

    /** Shortens the path, keeping a lone normalized Windows drive letter of a file URL. */
    void shortenPath() {
        if (scheme.equals("file") && path.size() == 1 && Parser.isNormalizedWindowsDriveLetter(path.get(0))) {
            return;
        }
        if (!path.isEmpty()) {
            path.remove(path.size() - 1);
        }
    }

    /** The URL path serializer. */
    String pathString() {
        if (opaquePath != null) {
            return opaquePath.toString();
        }
        StringBuilder out = new StringBuilder();
        for (String segment : path) {
            out.append('/').append(segment);
        }
        return out.toString();
    }

    /** The URL serializer. */
    String href() {
        StringBuilder out = new StringBuilder(scheme).append(':');
        if (host != null) {
            out.append("//");
            if (includesCredentials()) {
                out.append(username);
                if (!password.isEmpty()) {
                    out.append(':').append(password);
                }
                out.append('@');
            }
            out.append(host);
            if (port != null) {
                out.append(':').append(port);
            }
        }
        if (host == null && opaquePath == null && path.size() > 1 && path.get(0).isEmpty()) {
            out.append("/.");
        }
        out.append(pathString());
        if (query != null) {
            out.append('?').append(query);
        }
        if (fragment != null) {
            out.append('#').append(fragment);
        }
        return out.toString();
    }
}
