/* list_reliability.h - the "reliability" area's tests, in the registry's X format
 * (see registry.c): X(area, name, fn, param, clause, mark, needs, what). */
#ifndef CF2_LIST_RELIABILITY_H
#define CF2_LIST_RELIABILITY_H

#define CF2_LIST_RELIABILITY(X)

#endif
