;;; mfr: (fold + 0 (filter even? (map 1+ v))) over a 1,000,000-element list
;;; (SRFI-1 map/filter/fold are eager and work on lists, Scheme's sequence
;;; idiom; the list is made by iota).
(use-modules (common) (srfi srfi-1))

(bench (lambda ()
         (let ((v (iota 1000000)))
           (fold + 0 (filter even? (map 1+ v))))))
