/* list_progress.h - the "progress" area's tests, in the registry's X format
 * (see registry.c): X(area, name, fn, param, clause, mark, needs, what). */
#ifndef CF2_LIST_PROGRESS_H
#define CF2_LIST_PROGRESS_H

#define CF2_LIST_PROGRESS(X)

#endif
