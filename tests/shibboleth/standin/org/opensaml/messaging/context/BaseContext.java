package org.opensaml.messaging.context;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TEST STAND-IN for OpenSAML's BaseContext: a tree of contexts, one child per class. Only
 * {@link #getSubcontext(Class)} is what the shim may call (it exists in OpenSAML 4 and 5);
 * {@link #addSubcontext} is for the tests that build a tree.
 */
public abstract class BaseContext {

    private final Map<Class<?>, BaseContext> children = new LinkedHashMap<>();
    private BaseContext parent;

    /** The child of that class, or null. */
    public <T extends BaseContext> T getSubcontext(final Class<T> clazz) {
        return clazz.cast(children.get(clazz));
    }

    /** Adds (replaces) the child of sub's class. */
    public <T extends BaseContext> T addSubcontext(final T sub) {
        children.put(sub.getClass(), sub);
        ((BaseContext) sub).parent = this;
        return sub;
    }

    /** The parent, or null at the root. */
    public BaseContext getParent() {
        return parent;
    }
}
