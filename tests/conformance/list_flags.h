/* list_flags.h - the "flags" area's tests, in the registry's X format
 * (see registry.c): X(area, name, fn, param, clause, mark, needs, what). */
#ifndef CF2_LIST_FLAGS_H
#define CF2_LIST_FLAGS_H

#define CF2_LIST_FLAGS(X)

#endif
