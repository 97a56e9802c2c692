/* list_restart.h - the "restart" area's tests, in the registry's X format
 * (see registry.c): X(area, name, fn, param, clause, mark, needs, what). */
#ifndef CF2_LIST_RESTART_H
#define CF2_LIST_RESTART_H

#define CF2_LIST_RESTART(X)

#endif
