'(a) `(b ~c ~@d) @e #'f ^:m [g] #^{:k 1} h #inst "x" #:a{:b 1} #::{:c 2} ##Inf #?(:clj 1) #?@(:clj [2]) #{1} #(inc %)
