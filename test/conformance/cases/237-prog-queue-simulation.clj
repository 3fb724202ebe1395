(defn simulate [arrivals service]
  (loop [t 0 queue [] arrivals arrivals served [] busy 0]
    (if (and (empty? arrivals) (empty? queue) (zero? busy)) served
      (let [[now later] (split-with #(<= % t) arrivals)
            queue (into queue now)
            [busy queue served] (if (and (zero? busy) (seq queue))
                                  [service (subvec queue 1) (conj served [(first queue) t])]
                                  [busy queue served])]
        (recur (inc t) queue later served (max 0 (dec busy)))))))
(prn (simulate [0 1 2 8] 3))
