;;; loop: sum of 0..10,000,000 (exclusive) with a named let.
(use-modules (common))

(bench (lambda ()
         (let loop ((i 0) (acc 0))
           (if (< i 10000000)
               (loop (+ i 1) (+ acc i))
               acc))))
