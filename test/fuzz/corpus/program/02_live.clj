(ns demo.core)
(defn square [x] (* x x))
! (? :sq (square 7))
!(node :alpha [{:keys [log timer]}] (log "hi"))
